// @ts-check
// compose/start-order.yml: depends_on with and without a health condition.
'use strict';

/** @type {import('./types').Scenario} */
module.exports = {
  name: 'start-order',
  title: 'A late or stopped database, and start order',
  reachedBy: 'mongodb, once it is healthy',
  // Its lesson is the order `docker compose up` starts things in, watched as it happens.
  runWith:
    'docker compose -f compose/start-order.yml up -d   ' +
    '(FAVORITES_API_WAITS_FOR=service_started: the API starts before MongoDB is healthy)',
  breaks: {},
};
