// @ts-check
// compose/scale.yml: replicas of the API behind a balancer that looks their shared alias up.
'use strict';

const { request } = require('./evidence');

/** @type {import('./types').Scenario} */
module.exports = {
  name: 'scale',
  title: 'Scaling on one host',
  reachedBy: 'mongodb; the replicas share the alias api',
  breaks: {
    'replicas-stopped': {
      what: 'every API replica is stopped; the balancer stays',
      command: 'docker compose -f compose/scale.yml stop favorites',
      run: (ctx) => ctx.compose(['stop', 'favorites']),
      show: async (ctx) => `$ curl ${ctx.api}/healthz\n${await request(`${ctx.api}/healthz`)}`,
      fix:
        'With no replica running, "api" does not resolve and the balancer closes each connection. Start them again ' +
        '(docker compose -f compose/scale.yml start favorites); keep more than one, so a stopped replica is not an outage.',
    },
  },
};
