// @ts-check
// compose/loopback-db.yml: a MongoDB that listens only on its own container's loopback.
'use strict';

const { readyz } = require('./evidence');

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
  },
};
