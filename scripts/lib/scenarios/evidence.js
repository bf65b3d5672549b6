// @ts-check
// What the breaks share: the API run by hand next to a stack, and the evidence they show (the
// /readyz answer and the API's log line, or a request's answer).
'use strict';

const { stripVTControlCharacters } = require('node:util');
const { existsSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { docker, ROOT } = require('../engine');
const { readyzInside, readyzUntil } = require('../readyz');

/** @typedef {import('./types').BreakContext} BreakContext */

/**
 * A container a break runs outside the compose file, named after the project (e.g.
 * favorites-network-default-bridge), so that `stack.js down <scenario>` finds and removes it.
 * @param {{ project: string }} ctx
 * @param {string} what
 */
const named = (ctx, what) => `${ctx.project}-${what}`;

/** @param {string} name */
const removeContainer = (name) => docker(['rm', '-f', '-v', name]);

/**
 * `docker run -d --name <name> <args>`; throws with docker's message when it fails.
 * @param {string} name
 * @param {string[]} args
 */
function startContainer(name, args) {
  const started = docker(['run', '-d', '--name', name, ...args]);
  if (!started.ok) throw new Error(`cannot start ${name}: ${started.stderr}`);
}

/**
 * The API image run by hand, as the course's `docker run` steps do, signed in with a stack's
 * API password (its `<project>_api-credentials` volume, read-only). Published on `port` when given.
 * @param {BreakContext} ctx
 * @param {string} name
 * @param {{ network?: string, port?: number, env?: Record<string, string>, args?: string[] }} options
 *   args: more `docker run` options, such as a mount
 */
function runApi(ctx, name, { network, port, env = {}, args: extra = [] }) {
  removeContainer(name);
  const environment = {
    MONGODB_HOST: 'mongodb',
    MONGODB_USERNAME: 'favorites',
    MONGODB_PASSWORD_FILE: '/run/secrets/api/password',
    SWAPI_BASE_URL: ctx.images.SWAPI_BASE_URL ?? 'https://swapi.dev/api',
    ...env,
  };
  const args = ['-v', `${ctx.project}_api-credentials:/run/secrets/api:ro`];
  if (network) args.push('--network', network);
  if (port) args.push('-p', `127.0.0.1:${port}:3000`);
  for (const [key, value] of Object.entries(environment)) args.push('-e', `${key}=${value}`);
  startContainer(name, [...args, ...extra, ctx.apiImage]);
}

/**
 * The API's last "cannot reach MongoDB" log line: from a container, or from a compose service.
 * @param {BreakContext} ctx
 * @param {{ container?: string, service?: string }} source
 */
function diagnosisLine(ctx, { container, service = 'favorites' }) {
  const logs = container
    ? docker(['logs', container]).stdout
    : ctx.compose(['logs', '--no-log-prefix', service], {}, 'pipe');
  // Compose's log printer adds terminal control codes even when the output is not a terminal.
  const lines = stripVTControlCharacters(logs).split('\n');
  const line = lines.filter((l) => l.includes('cannot reach MongoDB')).pop();
  return `The API's log says:\n${line ?? '(no diagnosis logged yet)'}`;
}

/**
 * The usual evidence: /readyz answering 503 with a diagnosis, and the API's log line.
 * @param {{ url?: string, container?: string, service?: string }} [source]
 * @returns {(ctx: BreakContext) => Promise<string>}
 */
const readyz =
  ({ url, container, service } = {}) =>
  async (ctx) => {
    const base = url ?? ctx.api;
    const failed = (/** @type {import('../readyz').ReadyzAnswer} */ answer) =>
      answer.status === 503 && !!answer.body.database?.lastError;
    const { status, body } = await readyzUntil(base, failed, 45_000);
    return `$ curl ${base}/readyz\n${status} ${JSON.stringify(body, null, 2)}\n\n${diagnosisLine(ctx, { container, service })}`;
  };

/**
 * The same, for a container with no published port: /readyz read from inside it.
 * @param {string} container
 * @returns {(ctx: BreakContext) => Promise<string>}
 */
const readyzFromInside = (container) => async (ctx) => {
  const deadline = Date.now() + 45_000;
  let answer = readyzInside(container);
  while (!(answer.status === 503 && answer.body.database?.lastError) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    answer = readyzInside(container);
  }
  const { status, body } = answer;
  const asked = `$ docker exec ${container} node -e "fetch('http://127.0.0.1:3000/readyz')…"`;
  return `${asked}\n${status} ${JSON.stringify(body, null, 2)}\n\n${diagnosisLine(ctx, { container })}`;
};

/**
 * One request from the host, and what came back (or how the connection ended).
 * @param {string} url
 * @param {RequestInit} [init]
 */
async function request(url, init) {
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
    return `${res.status} ${await res.text()}`;
  } catch (error) {
    // fetch's own message is "fetch failed"; the cause says what happened to the connection.
    const failure = /** @type {Error & { cause?: Error & { code?: string } }} */ (error);
    const cause = failure.cause ?? failure;
    return `no answer: ${['code' in cause ? cause.code : undefined, cause.message].filter(Boolean).join(': ')}`;
  }
}

/**
 * Arguments as a shell command line: the ones a shell would split or expand, double-quoted.
 * @param {string[]} args
 */
const shellLine = (args) => args.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `"${arg}"`)).join(' ');

/**
 * The last line of a failed command's message: compose's own error, after its progress lines.
 * @param {string} message
 */
const lastLine = (message) => message.trim().split('\n').pop() ?? '';

/**
 * A few lines of Node run in a throwaway container of the pinned Node image, on `network`, with this
 * repository's node_modules (the driver and mongoose the API is built from; the API image bundles
 * them): a client as a tutorial writes it, for errors the API itself is built not to make. Its output.
 * @param {BreakContext} ctx
 * @param {string} network
 * @param {string} script
 */
function nodeClient(ctx, network, script) {
  const modules = join(ROOT, 'node_modules');
  if (!existsSync(join(modules, 'mongoose')))
    throw new Error('this break runs mongoose from node_modules: npm ci first');
  const image = String(ctx.images.FAVORITES_NODE_IMAGE);
  const args = ['run', '--rm', '--network', network, '-v', `${modules}:/client/node_modules:ro`, '-w', '/client'];
  const ran = docker([...args, image, 'node', '-e', script]);
  return `${ran.stdout}\n${ran.stderr}`.trim();
}

/**
 * What a client as tutorials write it (the driver's defaults) prints, connecting to `url` from
 * `network`: its error's name and message and the topology the driver saw, or that it connected.
 * @param {BreakContext} ctx
 * @param {string} network
 * @param {string} url
 */
const tutorialClient = (ctx, network, url) =>
  nodeClient(
    ctx,
    network,
    `const { MongoClient } = require('mongodb');
new MongoClient(${JSON.stringify(url)}, { serverSelectionTimeoutMS: 3000 }).connect().then(
  (client) => { console.log('connected, topology ' + client.topology.description.type); return client.close(); },
  (e) => console.log(e.name + ': ' + e.message + '\\ntopology ' + e.reason?.type));`,
  );

/**
 * Debian's /etc/host.conf, for the API: its FROM-scratch image has none, so glibc returns only the
 * first /etc/hosts line for localhost (127.0.0.1). Images built on Debian, the node images among
 * them, have it, and resolve localhost to ::1 and 127.0.0.1. Returns the `docker run` option that mounts it.
 */
function debianHostConf() {
  // One file for every run, written again each time: nothing piles up in the temporary folder.
  const file = join(tmpdir(), 'favorites-debian-host.conf');
  writeFileSync(file, 'multi on\n');
  return ['-v', `${file}:/etc/host.conf:ro`];
}

module.exports = {
  shellLine,
  lastLine,
  named,
  removeContainer,
  startContainer,
  runApi,
  diagnosisLine,
  readyz,
  readyzFromInside,
  request,
  nodeClient,
  tutorialClient,
  debianHostConf,
};
