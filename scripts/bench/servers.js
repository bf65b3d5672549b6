// The two servers under test, as processes of their own: the API as the image runs it
// (`node dist/server.js`), and the limit server. Each is timed from spawn to its first 200 on /readyz.
// @ts-check
'use strict';

const { fork, spawn } = require('node:child_process');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { freePort } = require('../lib/ports');
const { ROOT } = require('../lib/engine');

const API_SERVER = join(ROOT, 'services/favorites/dist/server.js');
const LIMIT_SERVER = join(__dirname, 'limit-server.js');
const READY_TIMEOUT_MS = 60_000;

/**
 * What both servers are given: their database, the SWAPI stub, and the query time limit.
 * @typedef {{ mongoUrl: string, swapiUrl: string, queryTimeoutMs: number }} ServerSettings
 */

/**
 * A server that answered ready.
 * @typedef {object} RunningServer
 * @property {'api' | 'limit'} kind
 * @property {import('node:child_process').ChildProcess} child
 * @property {string} baseUrl
 * @property {number} readyMs from spawn to its first 200 on /readyz
 */

/**
 * The environment both servers get, set in full: a developer's .env (which the API reads for what
 * the environment leaves unset) must not change what is measured. NODE_ENV as in the image.
 * @param {ServerSettings & { port: number }} settings
 * @returns {NodeJS.ProcessEnv}
 */
function serverEnv({ port, mongoUrl, swapiUrl, queryTimeoutMs }) {
  return {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    PORT: String(port),
    MONGODB_URL: mongoUrl,
    MONGODB_JOURNAL: 'true',
    MONGODB_QUERY_TIMEOUT_MS: String(queryTimeoutMs),
    SWAPI_BASE_URL: swapiUrl,
    SWAPI_MIRRORS: '',
    LOG_LEVEL: 'info',
  };
}

/**
 * Starts one server and resolves once /readyz answers 200, with how long that took from spawn.
 * `track(child)` is called at once, so the caller can kill it whatever happens next.
 * @param {RunningServer['kind']} kind
 * @param {ServerSettings} settings
 * @param {(child: import('node:child_process').ChildProcess) => void} track
 * @returns {Promise<RunningServer>}
 */
async function startServer(kind, settings, track) {
  const port = await freePort();
  const env = serverEnv({ ...settings, port });
  const startedAt = performance.now();
  const child =
    kind === 'api'
      ? spawn(process.execPath, [API_SERVER], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
      : fork(LIMIT_SERVER, [], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  track(child);
  // Kept for the error message if it never gets ready; a server that logs little costs little.
  let output = '';
  const keep = (/** @type {Buffer} */ chunk) => (output = `${output}${chunk}`.slice(-4000));
  // Both are pipes: stdio says so above.
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(
        `the ${kind} server exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${output}`,
      );
    if (Date.now() > deadline)
      throw new Error(`the ${kind} server was not ready within ${READY_TIMEOUT_MS / 1000} s:\n${output}`);
    const status = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(2000) }).then(
      (res) => res.arrayBuffer().then(() => res.status),
      () => undefined, // not listening yet
    );
    if (status === 200) break;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return { kind, child, baseUrl, readyMs: performance.now() - startedAt };
}

/**
 * Resident memory of a process, in bytes, from /proc (Linux); undefined where there is no /proc.
 * @param {number | undefined} pid
 * @returns {number | undefined}
 */
function rssBytes(pid) {
  try {
    const kB = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kB === undefined ? undefined : Number(kB) * 1024;
  } catch {
    return undefined;
  }
}

module.exports = { API_SERVER, startServer, rssBytes };
