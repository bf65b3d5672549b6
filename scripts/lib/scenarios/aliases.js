// @ts-check
// compose/aliases.yml: two teams' APIs each reach MongoDB by an alias of their own network.
'use strict';

const { readyz } = require('./evidence');

/** @type {import('./types').Scenario} */
module.exports = {
  name: 'aliases',
  title: 'Aliases',
  reachedBy: 'an alias on its own network (database)',
  apiService: 'favorites-a', // team A's API is the one on the stack's port; team B's is on the spare port
  breaks: {
    'foreign-alias': {
      what: 'team B\'s API is told to use "db", an alias MongoDB has on team-a only',
      command: 'FAVORITES_B_MONGODB_HOST=db docker compose -f compose/aliases.yml up -d favorites-b',
      run: (ctx) => ctx.compose(['up', '-d', '--wait', 'favorites-b'], { FAVORITES_B_MONGODB_HOST: 'db' }),
      show: (ctx) => readyz({ url: `http://localhost:${ctx.sparePort}`, service: 'favorites-b' })(ctx),
      fix:
        'An alias belongs to one network: "db" exists on team-a only. Use an alias of your own network ' +
        '("database", the default), or join the other network.',
    },
  },
};
