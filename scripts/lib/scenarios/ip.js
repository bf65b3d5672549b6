// @ts-check
// compose/ip.yml: the API is given MongoDB's fixed address instead of a name.
'use strict';

const { readyz } = require('./evidence');

/**
 * Where stale-ip recreates MongoDB: ten addresses on from the one the stack gave it (MONGO_IP, as
 * compose resolves it), so 172.28.0.10 becomes 172.28.0.20, and a stack on another /24 drifts
 * within its own subnet.
 * @param {import('./types').BreakContext} ctx
 */
function driftedAddress(ctx) {
  /** @type {{ services: { mongodb: { networks: Record<string, { ipv4_address: string }> } } }} */
  const config = JSON.parse(ctx.compose(['config', '--format', 'json'], {}, 'pipe'));
  const octets = config.services.mongodb.networks['favorites-ip'].ipv4_address.split('.').map(Number);
  octets[3] += octets[3] < 245 ? 10 : -10;
  return octets.join('.');
}

/** @type {import('./types').Scenario} */
module.exports = {
  name: 'ip',
  title: 'Raw IP',
  reachedBy: '172.28.0.10:27017, a fixed address',
  breaks: {
    'stale-ip': {
      what: 'MongoDB is recreated at another address while the API keeps the old one',
      command: (ctx) => `MONGO_IP=${driftedAddress(ctx)} docker compose -f compose/ip.yml up -d mongodb`,
      run: (ctx) => ctx.compose(['up', '-d', '--wait', 'mongodb'], { MONGO_IP: driftedAddress(ctx) }),
      show: readyz(),
      fix:
        'A container IP is only valid until the container is recreated. Use a service name on a user-defined ' +
        'network (compose/network.yml), or pin the address with ipv4_address.',
    },
  },
};
