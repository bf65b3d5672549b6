// Loopback ports, for the scripts and the tests alike: one that is free, whether one is free, and
// what a TCP connection to one gets. Plain CommonJS: scripts run it before any `npm install`.
// @ts-check
'use strict';

const { connect, createServer } = require('node:net');

/**
 * Whether `port` (0: any) can be listened on at 127.0.0.1 now; resolves with the port it got, or undefined.
 * @param {number} port
 * @returns {Promise<number | undefined>}
 */
function listenOnce(port) {
  return new Promise((resolve) => {
    const probe = createServer().once('error', () => resolve(undefined));
    probe.listen(port, '127.0.0.1', () => {
      // Listening on an IP address and port: address() is an AddressInfo, not a pipe's name.
      const { port: got } = /** @type {import('node:net').AddressInfo} */ (probe.address());
      probe.close(() => resolve(got));
    });
  });
}

/**
 * A TCP port that was free a moment ago on 127.0.0.1.
 * @returns {Promise<number>}
 */
async function freePort() {
  const port = await listenOnce(0);
  if (port === undefined) throw new Error('no free TCP port on 127.0.0.1');
  return port;
}

/**
 * Whether nothing listens on `port` at 127.0.0.1 now.
 * @param {number} port
 * @returns {Promise<boolean>}
 */
const portIsFree = async (port) => (await listenOnce(port)) !== undefined;

/**
 * What a TCP connection to 127.0.0.1:`port` gets: 'connected', or the error code (ECONNREFUSED, ETIMEDOUT after 3 s).
 * @param {number} port
 * @returns {Promise<string>}
 */
function connectOnLoopback(port) {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, timeout: 3000 });
    socket.once('connect', () => (socket.destroy(), resolve('connected')));
    socket.once('timeout', () => (socket.destroy(), resolve('ETIMEDOUT')));
    socket.once('error', (/** @type {NodeJS.ErrnoException} */ error) => resolve(error.code ?? error.message));
  });
}

module.exports = { freePort, portIsFree, connectOnLoopback };
