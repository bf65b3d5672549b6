// The failures `node scripts/stack.js --break <failure>` shows: one or more for each scenario of the
// README, each the way the matching suite in test/compose/ proves it. An entry says which scenario's
// stack it breaks, what it does (and the plain command that does the same by hand), how to cause it,
// what to show, and what to change.
'use strict';

const { connectOnLoopback } = require('./ports');
const { docker } = require('./engine');
const { readyzInside, readyzUntil } = require('./readyz');

const DRIFTED_MONGO_IP = '172.28.0.20';
const HOST_MONGO = 'favorites-host-mongodb';
// Containers some failures run outside the compose files are named after the project, e.g.
// favorites-network-default-bridge, and listed in `containers`: `stack.js down <scenario>` removes them.
const named = (ctx, what) => `${ctx.project}-${what}`;

const removeContainer = (name) => docker(['rm', '-f', '-v', name]);

/**
 * The API image run by hand, as the course's `docker run` steps do, signed in with a stack's
 * API password (its `<project>_api-credentials` volume, read-only). Published on `port` when given.
 */
function runApi(ctx, name, { network, port, env = {} }) {
  removeContainer(name);
  const environment = {
    MONGODB_HOST: 'mongodb',
    MONGODB_USERNAME: 'favorites',
    MONGODB_PASSWORD_FILE: '/run/secrets/api/password',
    SWAPI_BASE_URL: ctx.images.SWAPI_BASE_URL ?? 'https://swapi.dev/api',
    ...env,
  };
  const args = ['run', '-d', '--name', name, '-v', `${ctx.project}_api-credentials:/run/secrets/api:ro`];
  if (network) args.push('--network', network);
  if (port) args.push('-p', `127.0.0.1:${port}:3000`);
  for (const [key, value] of Object.entries(environment)) args.push('-e', `${key}=${value}`);
  const started = docker([...args, ctx.apiImage]);
  if (!started.ok) throw new Error(`cannot start ${name}: ${started.stderr}`);
}

/** The API's last "cannot reach MongoDB" log line: from a container, or from a compose service. */
function diagnosisLine(ctx, source) {
  const logs = source.container ? docker(['logs', source.container]).stdout : ctx.compose(['logs', '--no-log-prefix', source.service], {}, 'pipe');
  // Compose's log printer adds terminal control codes even when the output is not a terminal.
  const line = logs.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').split('\n').filter((l) => l.includes('cannot reach MongoDB')).pop();
  return `The API's log says:\n${line ?? '(no diagnosis logged yet)'}`;
}

/** The usual evidence: /readyz answering 503 with a diagnosis, and the API's log line. */
const readyz = ({ url, container, service = 'favorites' } = {}) => async (ctx) => {
  const base = url ?? ctx.api;
  const { status, body } = await readyzUntil(base, (answer) => answer.status === 503 && answer.body.database?.lastError, 45_000);
  return `$ curl ${base}/readyz\n${status} ${JSON.stringify(body, null, 2)}\n\n${diagnosisLine(ctx, { container, service })}`;
};

/** The same, for a container with no published port: /readyz read from inside it. */
const readyzFromInside = (container) => async (ctx) => {
  const deadline = Date.now() + 45_000;
  let answer = readyzInside(container);
  while (!(answer.status === 503 && answer.body.database?.lastError) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    answer = readyzInside(container);
  }
  const { status, body } = answer;
  return `$ docker exec ${container} node -e "fetch('http://127.0.0.1:3000/readyz')…"\n${status} ${JSON.stringify(body, null, 2)}\n\n${diagnosisLine(ctx, { container })}`;
};

/** One request from the host, and what came back (or how the connection ended). */
async function request(url, init) {
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
    return `${res.status} ${await res.text()}`;
  } catch (error) {
    // fetch's own message is "fetch failed"; the cause says what happened to the connection.
    const cause = error.cause ?? error;
    return `no answer: ${[cause.code, cause.message].filter(Boolean).join(': ')}`;
  }
}

const BREAKS = {
  // ---- Named network (compose/network.yml): also DNS shown, names, runtime connect, --link, drivers
  localhost: {
    scenario: 'network',
    what: 'the API is told that MongoDB is on localhost',
    command: 'MONGODB_HOST=localhost docker compose -f compose/network.yml up -d favorites',
    run: (ctx) => ctx.compose(['up', '-d', '--wait', 'favorites'], { MONGODB_HOST: 'localhost' }),
    show: readyz(),
    fix: 'Inside a container, localhost is the container itself. Use the service name: MONGODB_HOST=mongodb (the default).',
  },
  'wrong-user': {
    scenario: 'network',
    what: "the API signs in as a user MongoDB does not know, with the API user's password",
    command: 'MONGODB_USERNAME=intruder docker compose -f compose/network.yml up -d favorites',
    run: (ctx) => ctx.compose(['up', '-d', '--wait', 'favorites'], { MONGODB_USERNAME: 'intruder' }),
    show: readyz(),
    fix: 'MongoDB requires a password here. The API signs in as "favorites", the user the database-user one-shot creates, with the password in the api-credentials volume: leave MONGODB_USERNAME unset.',
  },
  'default-bridge': {
    scenario: 'network',
    what: "a second API is started the course's way, with `docker run` and no --network, so it lands on the default bridge (Docker's DNS does not serve it)",
    command: (ctx) => `docker run -d --name ${named(ctx, 'default-bridge')} -p 127.0.0.1:${ctx.port + 1}:3000 -v ${ctx.project}_api-credentials:/run/secrets/api:ro -e MONGODB_HOST=mongodb -e MONGODB_USERNAME=favorites -e MONGODB_PASSWORD_FILE=/run/secrets/api/password ${ctx.apiImage}`,
    containers: ['default-bridge'],
    run: (ctx) => runApi(ctx, named(ctx, 'default-bridge'), { port: ctx.port + 1 }),
    show: (ctx) => readyz({ url: `http://localhost:${ctx.port + 1}`, container: named(ctx, 'default-bridge') })(ctx),
    fix: (ctx) => `The default bridge has no DNS for names. Start it on the named network (docker run --network ${ctx.network} ...), or connect this very container at runtime, with no restart: docker network connect ${ctx.network} ${named(ctx, 'default-bridge')}`,
  },
  stopped: {
    scenario: 'network',
    what: 'MongoDB is stopped while the API runs',
    command: 'docker compose -f compose/network.yml stop mongodb',
    run: (ctx) => ctx.compose(['stop', 'mongodb']),
    show: readyz(),
    fix: 'Docker\'s DNS answers only for running containers: start it again (docker compose -f compose/network.yml start mongodb), and the same API becomes ready, with no restart, at whatever address MongoDB gets.',
  },
  'link-alias': {
    scenario: 'network',
    what: 'an API is linked the legacy way to a MongoDB on the default bridge, under the alias "mongodb"',
    command: (ctx) => `docker run -d --name ${named(ctx, 'link-mongodb')} ${ctx.images.FAVORITES_MONGO_IMAGE}; docker run -d --name ${named(ctx, 'link-api')} --link ${named(ctx, 'link-mongodb')}:mongodb -e MONGODB_HOST=mongodb ${ctx.apiImage}`,
    containers: ['link-api', 'link-mongodb'],
    run: (ctx) => {
      const [api, mongo] = [named(ctx, 'link-api'), named(ctx, 'link-mongodb')];
      [api, mongo].forEach(removeContainer);
      const mongoStarted = docker(['run', '-d', '--name', mongo, ctx.images.FAVORITES_MONGO_IMAGE]);
      if (!mongoStarted.ok) throw new Error(`cannot start ${mongo}: ${mongoStarted.stderr}`);
      const apiStarted = docker(['run', '-d', '--name', api, '--link', `${mongo}:mongodb`, '-e', 'MONGODB_HOST=mongodb', ctx.apiImage]);
      if (!apiStarted.ok) throw new Error(`cannot start ${api}: ${apiStarted.stderr}`);
    },
    show: (ctx) => {
      const api = named(ctx, 'link-api');
      const exitCode = docker(['wait', api]).stdout;
      const logs = docker(['logs', api]);
      return `$ docker wait ${api}\n${exitCode}\n$ docker logs ${api}\n${`${logs.stdout}\n${logs.stderr}`.trim()}`;
    },
    fix: (ctx) => `--link <container>:mongodb sets MONGODB_PORT=tcp://<ip>:27017 in the API's environment. Give the link another alias (--link ${named(ctx, 'link-mongodb')}:db with MONGODB_HOST=db), or better, put both on a user-defined network and drop --link.`,
  },
  'no-network': {
    scenario: 'network',
    what: 'an API is started with --network none: it has loopback and nothing else',
    command: (ctx) => `docker run -d --name ${named(ctx, 'no-network')} --network none -e MONGODB_HOST=mongodb ${ctx.apiImage}`,
    containers: ['no-network'],
    run: (ctx) => runApi(ctx, named(ctx, 'no-network'), { network: 'none' }),
    show: (ctx) => readyzFromInside(named(ctx, 'no-network'))(ctx),
    fix: (ctx) => `network_mode: none leaves a container only its loopback. Start it on the network MongoDB is on (docker run --network ${ctx.network} ...).`,
  },

  // ---- MongoDB on the host (compose/host.yml)
  'loopback-only': {
    scenario: 'host',
    what: "the host's MongoDB listens on 127.0.0.1 only",
    command: `docker run -d --name ${HOST_MONGO} -p 127.0.0.1:27017:27017 <mongo image>`,
    run: (ctx) => {
      removeContainer(HOST_MONGO);
      ctx.startHostMongo('127.0.0.1');
    },
    show: readyz(),
    fix: 'Containers reach the host through the bridge gateway, not 127.0.0.1. Make MongoDB listen on 0.0.0.0 (bindIp), or on the docker0 address, and firewall the port as you see fit.',
  },

  // ---- Raw IP (compose/ip.yml)
  'stale-ip': {
    scenario: 'ip',
    what: `MongoDB is recreated at another address (${DRIFTED_MONGO_IP}) while the API keeps the old one`,
    command: `MONGO_IP=${DRIFTED_MONGO_IP} docker compose -f compose/ip.yml up -d mongodb`,
    run: (ctx) => ctx.compose(['up', '-d', '--wait', 'mongodb'], { MONGO_IP: DRIFTED_MONGO_IP }),
    show: readyz(),
    fix: 'A container IP is only valid until the container is recreated. Use a service name on a user-defined network (compose/network.yml), or pin the address with ipv4_address.',
  },

  // ---- Aliases (compose/aliases.yml)
  'foreign-alias': {
    scenario: 'aliases',
    what: 'team B\'s API is told to use "db", an alias MongoDB has on team-a only',
    command: 'FAVORITES_B_MONGODB_HOST=db docker compose -f compose/aliases.yml up -d favorites-b',
    run: (ctx) => ctx.compose(['up', '-d', '--wait', 'favorites-b'], { FAVORITES_B_MONGODB_HOST: 'db' }),
    show: (ctx) => readyz({ url: `http://localhost:${ctx.port + 1}`, service: 'favorites-b' })(ctx),
    fix: 'An alias belongs to one network: "db" exists on team-a only. Use an alias of your own network ("database", the default), or join the other network.',
  },

  // ---- Segmentation (compose/segmented.yml)
  'front-only': {
    scenario: 'segmented',
    what: 'an API is started on the front network only, where MongoDB is not',
    command: (ctx) => `docker run -d --name ${named(ctx, 'front-only')} --network ${ctx.project}_front -p 127.0.0.1:${ctx.port + 1}:3000 ... ${ctx.apiImage}`,
    containers: ['front-only'],
    run: (ctx) => runApi(ctx, named(ctx, 'front-only'), { network: `${ctx.project}_front`, port: ctx.port + 1 }),
    show: (ctx) => readyz({ url: `http://localhost:${ctx.port + 1}`, container: named(ctx, 'front-only') })(ctx),
    fix: 'That is segmentation working: only what is on back reaches MongoDB. An API that needs it joins back too (as the favorites service does).',
  },

  // ---- Internal network (compose/internal.yml)
  'outside-swapi': {
    scenario: 'internal',
    what: 'the API, on an internal network, calls the real SWAPI outside it (no SWAPI mirror inside)',
    command: 'SWAPI_MIRRORS= docker compose -f compose/internal.yml up -d favorites',
    run: async (ctx) => {
      ctx.compose(['up', '-d', '--wait', 'favorites'], { SWAPI_MIRRORS: '' });
      await readyzUntil(ctx.api, ({ status }) => status === 200);
    },
    show: async (ctx) => `$ curl ${ctx.api}/movies\n${await request(`${ctx.api}/movies`)}\n\n$ curl ${ctx.api}/favorites   (inside the network: still works)\n${(await request(`${ctx.api}/favorites`)).slice(0, 200)}`,
    fix: 'Nothing leaves an internal network, not even a DNS lookup. Give the API a SWAPI inside it (SWAPI_MIRRORS=http://swapi-stub:8080/api, what this script runs by default), or put the API on a second, non-internal network as well.',
  },

  // ---- ICC off (compose/icc-off.yml)
  'icc-off': {
    scenario: 'icc-off',
    what: 'the network between the API and MongoDB is recreated with enable_icc=false, as the file does by default',
    command: 'docker compose -f compose/icc-off.yml down && docker compose -f compose/icc-off.yml up -d',
    run: (ctx) => {
      // A network's options can't change in place: compose must make it again.
      ctx.compose(['down']);
      ctx.compose(['up', '-d', '--wait'], { FAVORITES_ICC: 'false' });
    },
    show: readyz(),
    fix: 'With ICC off, containers on the bridge resolve each other but every packet between them is dropped. Turn ICC on (FAVORITES_ICC=true, what this script runs by default), or put the API and MongoDB on a network that allows it.',
  },

  // ---- A database bound to its own loopback (compose/loopback-db.yml)
  'bind-loopback': {
    scenario: 'loopback-db',
    what: 'MongoDB is recreated with --bind_ip 127.0.0.1, as the file does by default',
    command: 'MONGODB_BIND_IP=127.0.0.1 docker compose -f compose/loopback-db.yml up -d mongodb',
    run: (ctx) => ctx.compose(['up', '-d', '--wait', '--no-deps', 'mongodb'], { MONGODB_BIND_IP: '127.0.0.1' }),
    show: readyz(),
    fix: 'bind_ip 127.0.0.1 in a container means that container alone, and its own healthcheck still passes. Listen on every address: MONGODB_BIND_IP=0.0.0.0 (--bind_ip_all), what this script runs by default.',
  },

  // ---- Ports (compose/ports.yml)
  unpublished: {
    scenario: 'ports',
    what: 'the host tries to reach the MongoDB that publishes no port (the one the API uses, by name)',
    command: 'docker compose -f compose/ports.yml port mongodb 27017; and a TCP connection from the host to 127.0.0.1:27017',
    run: () => {},
    show: async (ctx) => {
      // For a port that is not published, compose prints ":0" (or nothing, in some versions).
      const port = ctx.compose(['port', 'mongodb', '27017'], {}, 'pipe', { check: false }).trim();
      const answer = await connectOnLoopback(27017);
      const note = answer === 'connected' ? ' (something else of yours listens there: not this MongoDB, which publishes nothing)' : '';
      const random = ctx.compose(['port', 'mongodb-random', '27017'], {}, 'pipe').trim();
      const compass = ctx.compose(['port', 'mongodb-compass', '27017'], {}, 'pipe').trim();
      return [
        `mongodb's host port: ${port || '(none)'}${port === ':0' || !port ? ', not published' : ''}`,
        `connect 127.0.0.1:27017 from the host: ${answer}${note}`,
        `$ docker compose -f compose/ports.yml port mongodb-random 27017\n${random}`,
        `$ docker compose -f compose/ports.yml port mongodb-compass 27017\n${compass}`,
      ].join('\n');
    },
    fix: 'Publishing is for the host only; the API needs none of it. For a tool on your machine, publish on loopback (127.0.0.1:27018:27017, as mongodb-compass does), or let the engine pick a port (mongodb-random) and ask it with `docker compose port`.',
  },

  // ---- Volumes (compose/volumes.yml)
  'anonymous-volume': {
    scenario: 'volumes',
    what: "a favorite is saved, then the stack is taken down and up again: MongoDB's data is in the image's anonymous volume",
    command: 'docker compose -f compose/volumes.yml down && docker compose -f compose/volumes.yml up -d',
    run: async (ctx) => {
      const saved = await request(`${ctx.api}/favorites`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'movie', name: `Saved before down ${Date.now()}`, url: 'https://swapi.dev/api/films/1/' }),
      });
      const volume = docker(['inspect', '-f', '{{range .Mounts}}{{if eq .Destination "/data/db"}}{{.Name}}{{end}}{{end}}', `${ctx.project}-mongodb-1`]).stdout;
      ctx.compose(['down']);
      ctx.compose(['up', '-d', '--wait']);
      await readyzUntil(ctx.api, ({ status }) => status === 200);
      return { saved, volume };
    },
    show: async (ctx, { saved, volume }) => [
      `Before down: POST /favorites\n${saved}`,
      `After down + up: $ curl ${ctx.api}/favorites\n${await request(`${ctx.api}/favorites`)}`,
      `The old data is still here, dangling: ${volume}\n$ docker volume ls -f dangling=true -f name=${volume}\n${docker(['volume', 'ls', '-f', 'dangling=true', '-f', `name=${volume}`]).stdout}`,
    ].join('\n\n'),
    fix: "Give /data/db a named volume (as compose/network.yml does): it survives down and up. To get these favorites back, mount the dangling volume again (docker run -v <that name>:/data/db ...); remove it with docker volume rm <that name>, which `down --volumes` won't do.",
  },

  // ---- Scaling on one host (compose/scale.yml)
  'replicas-stopped': {
    scenario: 'scale',
    what: 'every API replica is stopped; the balancer stays',
    command: 'docker compose -f compose/scale.yml stop favorites',
    run: (ctx) => ctx.compose(['stop', 'favorites']),
    show: async (ctx) => `$ curl ${ctx.api}/healthz\n${await request(`${ctx.api}/healthz`)}`,
    fix: 'With no replica running, "api" does not resolve and the balancer closes each connection. Start them again (docker compose -f compose/scale.yml start favorites); keep more than one, so a stopped replica is not an outage.',
  },
};

/** The names of the containers a scenario's failures start outside its compose file. */
const containersOf = (scenario, project) =>
  Object.values(BREAKS).filter((failure) => failure.scenario === scenario).flatMap((failure) => (failure.containers ?? []).map((what) => named({ project }, what)));

module.exports = { BREAKS, HOST_MONGO, containersOf, removeContainer };
