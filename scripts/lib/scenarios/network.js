// @ts-check
// compose/network.yml: the API reaches MongoDB by service name on a named network. Its breaks are
// the lessons told on the same file: DNS, a stopped database, credentials, --link, the drivers.
'use strict';

const { docker, linkBehaviour } = require('../engine');
const {
  named,
  tutorialClient,
  readyz,
  readyzFromInside,
  removeContainer,
  runApi,
  startContainer,
} = require('./evidence');

/**
 * Whether the stack runs the offline stand-in for MongoDB (FerretDB), which becomes a replica set's
 * member by a setting alone; the official image needs an initiated set.
 * @param {import('./types').BreakContext} ctx
 */
const isStandIn = (ctx) => /ferretdb/.test(String(ctx.images.FAVORITES_MONGO_IMAGE));

/** @type {import('./types').Scenario} */
module.exports = {
  name: 'network',
  title: 'Named network',
  reachedBy: 'mongodb:27017, the service name',
  breaks: {
    localhost: {
      what: 'the API is told that MongoDB is on localhost',
      command: 'MONGODB_HOST=localhost docker compose -f compose/network.yml up -d favorites',
      run: (ctx) => ctx.compose(['up', '-d', '--wait', 'favorites'], { MONGODB_HOST: 'localhost' }),
      show: readyz(),
      fix: 'Inside a container, localhost is the container itself. Use the service name: MONGODB_HOST=mongodb (the default).',
    },
    'wrong-user': {
      what: "the API signs in as a user MongoDB does not know, with the API user's password",
      command: 'MONGODB_USERNAME=intruder docker compose -f compose/network.yml up -d favorites',
      run: (ctx) => ctx.compose(['up', '-d', '--wait', 'favorites'], { MONGODB_USERNAME: 'intruder' }),
      show: readyz(),
      fix:
        'MongoDB requires a password here. The API signs in as "favorites", the user the database-user one-shot ' +
        'creates, with the password in the api-credentials volume: leave MONGODB_USERNAME unset.',
    },
    'default-bridge': {
      what:
        "a second API is started the course's way, with `docker run` and no --network, so it lands on the default " +
        "bridge (Docker's DNS does not serve it)",
      command: (ctx) =>
        `docker run -d --name ${named(ctx, 'default-bridge')} -p 127.0.0.1:${ctx.sparePort}:3000 ` +
        `-v ${ctx.project}_api-credentials:/run/secrets/api:ro -e MONGODB_HOST=mongodb -e MONGODB_USERNAME=favorites ` +
        `-e MONGODB_PASSWORD_FILE=/run/secrets/api/password ${ctx.apiImage}`,
      containers: ['default-bridge'],
      run: (ctx) => runApi(ctx, named(ctx, 'default-bridge'), { port: ctx.sparePort }),
      show: (ctx) => readyz({ url: `http://localhost:${ctx.sparePort}`, container: named(ctx, 'default-bridge') })(ctx),
      fix: (ctx) =>
        `The default bridge has no DNS for names. Start it on the named network (docker run --network ${ctx.network} ...), ` +
        `or connect this very container at runtime, with no restart: docker network connect ${ctx.network} ` +
        `${named(ctx, 'default-bridge')}`,
    },
    stopped: {
      what: 'MongoDB is stopped while the API runs',
      command: 'docker compose -f compose/network.yml stop mongodb',
      run: (ctx) => ctx.compose(['stop', 'mongodb']),
      show: readyz(),
      fix:
        "Docker's DNS answers only for running containers: start it again (docker compose -f compose/network.yml " +
        'start mongodb), and the same API becomes ready, with no restart, at whatever address MongoDB gets.',
    },
    'link-alias': {
      what: 'an API is linked the legacy way to a MongoDB on the default bridge, under the alias "mongodb"',
      command: (ctx) =>
        `docker run -d --name ${named(ctx, 'link-mongodb')} ${ctx.images.FAVORITES_MONGO_IMAGE}; ` +
        `docker run -d --name ${named(ctx, 'link-api')} --link ${named(ctx, 'link-mongodb')}:mongodb ` +
        `-e MONGODB_HOST=mongodb ${ctx.apiImage}`,
      containers: ['link-api', 'link-mongodb'],
      run: (ctx) => {
        const [api, mongo] = [named(ctx, 'link-api'), named(ctx, 'link-mongodb')];
        [api, mongo].forEach(removeContainer);
        startContainer(mongo, [String(ctx.images.FAVORITES_MONGO_IMAGE)]);
        startContainer(api, ['--link', `${mongo}:mongodb`, '-e', 'MONGODB_HOST=mongodb', ctx.apiImage]);
      },
      show: (ctx) => {
        const api = named(ctx, 'link-api');
        // Docker 29 and later set no MONGODB_PORT (docs/engines.md): the API starts, and is ready.
        if (linkBehaviour() === 'hosts') return readyzFromInside(api)(ctx);
        const exitCode = docker(['wait', api]).stdout;
        const logs = docker(['logs', api]);
        return `$ docker wait ${api}\n${exitCode}\n$ docker logs ${api}\n${`${logs.stdout}\n${logs.stderr}`.trim()}`;
      },
      fix: (ctx) =>
        "Up to Docker 28, --link <container>:mongodb sets MONGODB_PORT=tcp://<ip>:27017 in the API's environment " +
        '(Docker 29 no longer does; Podman refuses --link). Give the link ' +
        `another alias (--link ${named(ctx, 'link-mongodb')}:db with MONGODB_HOST=db), or better, put both on a ` +
        'user-defined network and drop --link.',
    },
    'replica-set-name': {
      what:
        'MongoDB is recreated as the one member of replica set rs0, named mongo1, a name only its own container ' +
        'resolves, and the API is restarted: it is given mongodb, and the set sends it to mongo1',
      command:
        'MONGODB_REPLICA_SET=rs0 MONGODB_BIND_OPTION=--bind_ip=mongo1 docker compose -f compose/network.yml ' +
        'up -d --force-recreate mongodb favorites',
      run: (ctx) => {
        if (!isStandIn(ctx)) {
          throw new Error(
            `replica-set-name runs on the offline stand-in (FerretDB) only: ${ctx.images.FAVORITES_MONGO_IMAGE} ` +
              'makes a replica set with --replSet, rs.initiate() and, with a password, a keyFile. ' +
              'docs/scenarios/network.md#replica-set-name says what the stand-in shows, and why.',
          );
        }
        ctx.compose(['up', '-d', '--wait', '--no-deps', '--force-recreate', 'mongodb', 'favorites'], {
          MONGODB_REPLICA_SET: 'rs0',
          MONGODB_BIND_OPTION: '--bind_ip=mongo1',
        });
      },
      show: async (ctx) => {
        const url = 'mongodb://mongodb:27017/?replicaSet=rs0';
        return `${await readyz()(ctx)}\n\nA client as tutorials write it, with ${url}:\n${tutorialClient(ctx, ctx.network, url)}`;
      },
      fix:
        'A replica set answers with the names its members were given (rs.initiate, or a hostname), and the driver ' +
        'connects to those names. Connect to the one server as given, with directConnection=true in the connection ' +
        'string; or make the member names resolve here: give MongoDB the network alias mongo1 ' +
        '(networks: { favorites-net: { aliases: [mongo1] } }), or name the members by their service name.',
    },
    'no-network': {
      what: 'an API is started with --network none: it has loopback and nothing else',
      command: (ctx) =>
        `docker run -d --name ${named(ctx, 'no-network')} --network none -e MONGODB_HOST=mongodb ${ctx.apiImage}`,
      containers: ['no-network'],
      run: (ctx) => runApi(ctx, named(ctx, 'no-network'), { network: 'none' }),
      show: (ctx) => readyzFromInside(named(ctx, 'no-network'))(ctx),
      fix: (ctx) =>
        'network_mode: none leaves a container only its loopback, and Docker refuses to connect it to another ' +
        `network. Start it on the network MongoDB is on (docker run --network ${ctx.network} ...), or disconnect ` +
        `it from none first: docker network disconnect none ${named(ctx, 'no-network')}, then docker network ` +
        `connect ${ctx.network} ${named(ctx, 'no-network')}.`,
    },
  },
};
