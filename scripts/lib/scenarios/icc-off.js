// @ts-check
// compose/icc-off.yml: a bridge with enable_icc=false between the API and MongoDB.
'use strict';

const { readyz } = require('./evidence');

/** @type {import('./types').Scenario} */
module.exports = {
  name: 'icc-off',
  title: 'ICC off, and isolation by address',
  reachedBy: 'service name; packets dropped',
  env: { FAVORITES_ICC: 'true' },
  breaks: {
    'icc-off': {
      what: 'the network between the API and MongoDB is recreated with enable_icc=false, as the file does by default',
      command: 'docker compose -f compose/icc-off.yml down && docker compose -f compose/icc-off.yml up -d',
      run: (ctx) => {
        // A network's options can't change in place: compose must make it again.
        ctx.compose(['down']);
        ctx.compose(['up', '-d', '--wait'], { FAVORITES_ICC: 'false' });
      },
      show: readyz(),
      fix:
        'With ICC off, containers on the bridge resolve each other but every packet between them is dropped. Turn ICC ' +
        'on (FAVORITES_ICC=true, what this script runs by default), or put the API and MongoDB on a network that allows it.',
    },
  },
};
