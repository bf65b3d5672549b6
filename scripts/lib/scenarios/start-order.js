// @ts-check
// compose/start-order.yml: depends_on with and without a health condition.
'use strict';

const { readyzUntil } = require('../readyz');
const { readyz } = require('./evidence');

/** @type {import('./types').Scenario} */
module.exports = {
  name: 'start-order',
  title: 'A late or stopped database, and start order',
  reachedBy: 'mongodb, once it is healthy',
  // Nothing waits for the database-user one-shot (the lesson), so `up --wait` fails when it exits.
  upWaits: false,
  breaks: {
    'service-started': {
      what:
        'the stack is made again from nothing (its data is reset: `down --volumes`) with the short form of ' +
        'depends_on, condition: service_started, so the API starts before MongoDB is healthy',
      command:
        'docker compose -f compose/start-order.yml down --volumes && ' +
        'FAVORITES_API_WAITS_FOR=service_started docker compose -f compose/start-order.yml up -d',
      // An empty data volume: MongoDB initialises first, so the API's early attempts fail for sure.
      run: (ctx) => {
        ctx.compose(['down', '--volumes']);
        ctx.compose(['up', '-d'], { FAVORITES_API_WAITS_FOR: 'service_started' });
      },
      show: async (ctx) => {
        const failed = await readyz()(ctx);
        const { status, body } = await readyzUntil(ctx.api, (answer) => answer.status === 200);
        return (
          `${failed}\n\nThen the same API, with no restart, once MongoDB is healthy and its user made:\n` +
          `$ curl ${ctx.api}/readyz\n${status} ${JSON.stringify(body, null, 2)}`
        );
      },
      fix:
        "Wait for MongoDB's healthcheck: depends_on: { mongodb: { condition: service_healthy } }, this file's " +
        "default (leave FAVORITES_API_WAITS_FOR unset): compose then starts the API only after MongoDB's " +
        'first passing healthcheck. The API retries by itself either way.',
    },
  },
};
