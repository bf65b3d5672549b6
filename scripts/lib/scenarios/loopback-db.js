// @ts-check
// compose/loopback-db.yml: a MongoDB that listens only on its own container's loopback.
'use strict';

const { debianHostConf, named, readyz, readyzFromInside, runApi, tutorialClient } = require('./evidence');

/** What the localhost-ipv6 break's API is given: localhost, tried on its first address alone, as Node 17 to 19 did. */
const FIRST_ADDRESS_ONLY = 'mongodb://localhost:27017/swfavorites?autoSelectFamily=false';

/** @param {{ project: string }} ctx */
const mongodbContainer = (ctx) => `${ctx.project}-mongodb-1`;

/** @type {import('./types').Scenario} */
module.exports = {
  name: 'loopback-db',
  title: 'A database bound to its own loopback',
  reachedBy: 'mongodb, which must listen on every address',
  env: { MONGODB_BIND_IP: '0.0.0.0' },
  breaks: {
    'bind-loopback': {
      what: 'MongoDB is recreated with --bind_ip 127.0.0.1, as the file does by default',
      command: 'MONGODB_BIND_IP=127.0.0.1 docker compose -f compose/loopback-db.yml up -d mongodb',
      run: (ctx) => ctx.compose(['up', '-d', '--wait', '--no-deps', 'mongodb'], { MONGODB_BIND_IP: '127.0.0.1' }),
      show: readyz(),
      fix:
        'bind_ip 127.0.0.1 in a container means that container alone, and its own healthcheck still passes. Listen ' +
        'on every address: MONGODB_BIND_IP=0.0.0.0 (--bind_ip_all), what this script runs by default.',
    },
    'localhost-ipv6': {
      what:
        'MongoDB listens on 127.0.0.1 only, with IPv6 on in its container as on most hosts, and an API in ' +
        "that container's namespace, with Debian's /etc/host.conf (as images built on Debian have), asks for " +
        'localhost and tries its first address alone, ::1 (Node 17 to 19; autoSelectFamily=false)',
      command: (ctx) =>
        'MONGODB_BIND_IP=127.0.0.1 MONGODB_ETH0_DISABLE_IPV6=0 docker compose -f compose/loopback-db.yml up -d mongodb; ' +
        `docker run -d --name ${named(ctx, 'localhost-ipv6')} --network container:${mongodbContainer(ctx)} ` +
        `-v "$PWD/host.conf:/etc/host.conf:ro" -e MONGODB_URL='${FIRST_ADDRESS_ONLY}' ${ctx.apiImage}` +
        " (host.conf: Debian's, 'multi on')",
      containers: ['localhost-ipv6'],
      run: (ctx) => {
        ctx.compose(['up', '-d', '--wait', '--no-deps', 'mongodb'], {
          MONGODB_BIND_IP: '127.0.0.1',
          MONGODB_ETH0_DISABLE_IPV6: '0',
        });
        runApi(ctx, named(ctx, 'localhost-ipv6'), {
          network: `container:${mongodbContainer(ctx)}`,
          env: { MONGODB_URL: FIRST_ADDRESS_ONLY },
          args: debianHostConf(),
        });
      },
      show: async (ctx) => {
        const url = 'mongodb://localhost:27017/?autoSelectFamily=false';
        const client = tutorialClient(ctx, `container:${mongodbContainer(ctx)}`, url);
        return (
          `${await readyzFromInside(named(ctx, 'localhost-ipv6'))(ctx)}\n\n` +
          `A client in the same namespace, with ${url}:\n${client}`
        );
      },
      fix:
        'localhost resolved to ::1 first, and MongoDB listens on 127.0.0.1 only. Ask for 127.0.0.1 instead of ' +
        'localhost, or have MongoDB listen on both (--ipv6 --bind_ip 127.0.0.1,::1), or let the client try the ' +
        "next address: Node 20 and later do by default (the driver's autoSelectFamily).",
    },
  },
};
