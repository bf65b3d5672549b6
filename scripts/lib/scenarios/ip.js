// @ts-check
// compose/ip.yml: the API is given MongoDB's fixed address instead of a name.
'use strict';

const { docker } = require('../engine');
const { overlappingNetworks, poolOverlapHint } = require('../stack-hints');
const { lastLine, named, readyz } = require('./evidence');

/** The network pool-overlap creates first, on ip.yml's own subnet: another project's, or one left from an old run. */
const OVERLAPPING = 'overlapping-net';

/**
 * ip.yml as compose resolves it, for this stack's variables.
 * @param {import('./types').BreakContext} ctx
 */
const configOf = (ctx) => JSON.parse(ctx.compose(['config', '--format', 'json'], {}, 'pipe'));

/**
 * The subnet ip.yml fixes (FAVORITES_SUBNET, as compose resolves it).
 * @param {import('./types').BreakContext} ctx
 * @returns {string}
 */
const subnetOf = (ctx) => configOf(ctx).networks['favorites-ip'].ipam.config[0].subnet;

/**
 * Where stale-ip recreates MongoDB: ten addresses on from the one the stack gave it (MONGO_IP, as
 * compose resolves it), so 172.28.0.10 becomes 172.28.0.20, and a stack on another /24 drifts
 * within its own subnet.
 * @param {import('./types').BreakContext} ctx
 */
function driftedAddress(ctx) {
  /** @type {{ services: { mongodb: { networks: Record<string, { ipv4_address: string }> } } }} */
  const config = configOf(ctx);
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
    'pool-overlap': {
      what:
        "another network already holds ip.yml's subnet (another project's fixed subnet, say) when the stack is " +
        'brought up again',
      command: (ctx) =>
        `docker network create --subnet ${subnetOf(ctx)} ${named(ctx, OVERLAPPING)} && ` +
        'docker compose -f compose/ip.yml down && docker compose -f compose/ip.yml up -d',
      networks: [OVERLAPPING],
      run: (ctx) => {
        const subnet = subnetOf(ctx);
        // Down first: while ip.yml's own network exists, the engine refuses the other one, with the same words.
        ctx.compose(['down']);
        const created = docker(['network', 'create', '--subnet', subnet, named(ctx, OVERLAPPING)]);
        if (!created.ok) throw new Error(`cannot create ${named(ctx, OVERLAPPING)}: ${created.stderr}`);
        try {
          ctx.compose(['up', '-d', '--wait'], {}, 'pipe');
          return { up: 'docker compose up succeeded: no other network overlaps this subnet here' };
        } catch (error) {
          // Both compose runners put compose's own stderr in the message.
          return { up: /** @type {Error} */ (error).message };
        }
      },
      show: (ctx, { up }) =>
        [
          `$ docker compose -f compose/ip.yml up -d\n${lastLine(up)}`,
          `What stack.js finds in the way:\n${overlappingNetworks(configOf(ctx)).map(poolOverlapHint).join('\n')}`,
        ].join('\n\n'),
      fix:
        'Give ip.yml a subnet no other network holds: FAVORITES_SUBNET=<a.b.c.0/24> MONGO_IP=<a.b.c.10> ' +
        "(docker network inspect shows each network's subnet), or remove the other network if nothing uses it. " +
        'Only a file that fixes its subnet can collide: without ipam, Docker picks a free range by itself.',
    },
  },
};
