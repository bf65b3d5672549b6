// @ts-check
// compose/internal.yml: the API and MongoDB on an internal network, which nothing leaves.
'use strict';

const { readyzUntil } = require('../readyz');
const { request } = require('./evidence');

/** @type {import('./types').Scenario} */
module.exports = {
  name: 'internal',
  title: 'Internal network',
  reachedBy: 'mongodb, on an internal network',
  // The SWAPI stub inside the internal network (nothing outside can be reached from there).
  env: { COMPOSE_PROFILES: 'offline', SWAPI_MIRRORS: 'http://swapi-stub:8080/api' },
  breaks: {
    'outside-swapi': {
      what: 'the API, on an internal network, calls the real SWAPI outside it (no SWAPI mirror inside)',
      command: 'SWAPI_MIRRORS= docker compose -f compose/internal.yml up -d favorites',
      run: async (ctx) => {
        ctx.compose(['up', '-d', '--wait', 'favorites'], { SWAPI_MIRRORS: '' });
        await readyzUntil(ctx.api, ({ status }) => status === 200);
      },
      show: async (ctx) =>
        `$ curl ${ctx.api}/movies\n${await request(`${ctx.api}/movies`)}\n\n` +
        `$ curl ${ctx.api}/favorites   (inside the network: still works)\n${(await request(`${ctx.api}/favorites`)).slice(0, 200)}`,
      fix:
        'Nothing leaves an internal network, not even a DNS lookup. Give the API a SWAPI inside it ' +
        '(SWAPI_MIRRORS=http://swapi-stub:8080/api, what this script runs by default), or put the API on a second, ' +
        'non-internal network as well.',
    },
  },
};
