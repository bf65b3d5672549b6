// The servers under test, as processes of their own: the API from its source build as `npm start`
// runs it (its node flags included), the limit server, and bare Express (GET /movies only). Each is
// timed from spawn to its first 200 on /readyz; startTimes() times more starts, the image's entry
// point's included.
// @ts-check
'use strict';

const { execFile, fork, spawn } = require('node:child_process');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { freePort } = require('../lib/ports');
const { docker, ROOT } = require('../lib/engine');
const { API_NODE_ARGS } = require('../lib/api-command');

const LIMIT_SERVER = join(__dirname, 'limit-server.js');
const EXPRESS_SERVER = join(__dirname, 'express-server.js');
const START_TIME = join(__dirname, 'start-time.js');
const READY_TIMEOUT_MS = 60_000;

/**
 * What both servers are given: their database, the SWAPI stub, and the query time limit.
 * @typedef {{ mongoUrl: string, swapiUrl: string, queryTimeoutMs: number }} ServerSettings
 */

/**
 * A server that answered ready.
 * @typedef {object} RunningServer
 * @property {'api' | 'limit' | 'express'} kind
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
      ? spawn(process.execPath, API_NODE_ARGS, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
      : fork(kind === 'limit' ? LIMIT_SERVER : EXPRESS_SERVER, [], {
          cwd: ROOT,
          env,
          stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        });
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
 * Where a start is timed: the source build and the limit on this machine, with this node; the
 * image's entry point inside the image (its own node, bundle and compile cache), on the host's
 * network so that it reaches the database and the SWAPI stub on 127.0.0.1 as the others do.
 * @typedef {{ kind: 'source' | 'limit' } | { kind: 'image', image: string }} StartTarget
 */

/**
 * Milliseconds from spawn to the first 200 on /readyz, for `starts` starts one after the other
 * (scripts/bench/start-time.js, run where the server runs). `track` gets each process, so the
 * caller can kill it on exit.
 * @param {StartTarget} target
 * @param {ServerSettings} settings
 * @param {number} starts
 * @param {(child: import('node:child_process').ChildProcess) => void} track
 * @returns {Promise<number[]>}
 */
async function startTimes(target, settings, starts, track) {
  const port = await freePort();
  const env = serverEnv({ ...settings, port });
  const args = [String(starts), String(port)];
  const [command, commandArgs] =
    target.kind === 'image'
      ? [
          'docker',
          [
            'run',
            '--rm',
            '--network',
            'host',
            '--label',
            'swfavorites.bench=true',
            ...Object.entries(env)
              .filter(([name]) => name !== 'PATH' && name !== 'PORT')
              .flatMap(([name, value]) => ['--env', `${name}=${value}`]),
            '--volume',
            `${START_TIME}:/bench/start-time.js:ro`,
            '--entrypoint',
            'node',
            target.image,
            '/bench/start-time.js',
            ...args,
            // The image's own command: its entry point, whatever it is.
            ...imageCommand(target.image),
          ],
        ]
      : [process.execPath, [START_TIME, ...args, ...(target.kind === 'source' ? API_NODE_ARGS : [LIMIT_SERVER])]];
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      commandArgs,
      { cwd: ROOT, env, timeout: starts * 70_000 },
      (error, stdout, stderr) =>
        error
          ? reject(new Error(`timing the ${target.kind} start failed: ${stderr.trim() || error.message}`))
          : resolve(JSON.parse(stdout)),
    );
    track(child);
  });
}

/**
 * The image's CMD without its leading `node`: start-time.js runs it with the image's node.
 * @param {string} image
 * @returns {string[]}
 */
function imageCommand(image) {
  const cmd = JSON.parse(docker(['image', 'inspect', '--format', '{{json .Config.Cmd}}', image]).stdout);
  if (!Array.isArray(cmd) || cmd[0] !== 'node') throw new Error(`${image}'s command is not node: ${cmd}`);
  return cmd.slice(1);
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

module.exports = { startServer, startTimes, rssBytes };
