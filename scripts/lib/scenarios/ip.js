// @ts-check
// compose/ip.yml: the API is given MongoDB's fixed address instead of a name.
'use strict';

const { readyz } = require('./evidence');

const DRIFTED_MONGO_IP = '172.28.0.20';

/** @type {import('./types').Scenario} */
module.exports = {
  name: 'ip',
  title: 'Raw IP',
  reachedBy: '172.28.0.10:27017, a fixed address',
  breaks: {
    'stale-ip': {
      what: `MongoDB is recreated at another address (${DRIFTED_MONGO_IP}) while the API keeps the old one`,
      command: `MONGO_IP=${DRIFTED_MONGO_IP} docker compose -f compose/ip.yml up -d mongodb`,
      run: (ctx) => ctx.compose(['up', '-d', '--wait', 'mongodb'], { MONGO_IP: DRIFTED_MONGO_IP }),
      show: readyz(),
      fix:
        'A container IP is only valid until the container is recreated. Use a service name on a user-defined ' +
        'network (compose/network.yml), or pin the address with ipv4_address.',
    },
  },
};
