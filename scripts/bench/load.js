// One load run: autocannon in a process of its own, so that generating the load never competes
// with the bench's own event loop, and never with the server under test beyond the CPU they share.
// @ts-check
'use strict';

const { execFile } = require('node:child_process');
const { join } = require('node:path');
const { ROOT } = require('../lib/engine');

const AUTOCANNON = join(ROOT, 'node_modules/autocannon/autocannon.js');

/** @typedef {import('node:child_process').ChildProcess} ChildProcess */

/**
 * One run's figures.
 * @typedef {object} LoadFigures
 * @property {number} ok 2xx answers
 * @property {number} answered every answer, whatever its status
 * @property {number} seconds how long the load ran
 * @property {number} p50 milliseconds
 * @property {number} p99 milliseconds
 * @property {number} errors answers other than 2xx, and requests that got none
 */

/**
 * Loads `url` for `duration` seconds over `connections` keep-alive connections; with `body`, POSTs
 * it as JSON, a fresh id in place of each `[<id>]`. `track(child)` lets the caller kill it on exit.
 * Resolves with the figures the tables show; latencies are autocannon's, in whole milliseconds.
 * @param {string} url
 * @param {{ duration: number, connections: number, body?: string, track?: (child: ChildProcess) => void }} options
 * @returns {Promise<LoadFigures>}
 */
function load(url, { duration, connections, body, track = () => undefined }) {
  const args = [
    AUTOCANNON,
    '--json',
    '--no-progress',
    '--duration',
    String(duration),
    '--connections',
    String(connections),
  ];
  if (body !== undefined)
    args.push('--method', 'POST', '--headers', 'content-type=application/json', '--body', body, '--idReplacement');
  args.push(url);
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      args,
      { maxBuffer: 16 * 1024 * 1024, timeout: (duration + 30) * 1000 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`autocannon against ${url} failed: ${stderr.trim() || error.message}`));
        const result = JSON.parse(stdout);
        resolve({
          // Only 2xx answers count: a fast error is not throughput.
          ok: result['2xx'],
          answered: result.requests.total,
          seconds: result.duration,
          p50: result.latency.p50,
          p99: result.latency.p99,
          // Answers other than 2xx, and requests that got none (refused, reset, timed out).
          errors: result.non2xx + result.errors,
        });
      },
    );
    track(child);
  });
}

module.exports = { load };
