#!/usr/bin/env node
// npm run bench: the API's throughput and latency, each set beside the "limit" (limit-server.js: the
// same queries with node:http and the mongodb driver alone), on one database container and one
// SWAPI stub, over loopback. Both servers get the same load in turns (API, limit, API, limit...) so
// that whatever else the machine does hits both alike. It measures and prints; it asserts nothing.
// It removes what it started (the container with its volumes, every process) however it ends.
// @ts-check
'use strict';

const { execFileSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');
const { constants, cpus } = require('node:os');
const { parseArgs } = require('node:util');
const { createSwapiStub } = require('../../services/swapi-stub/server');
const { docker, ensureEngine, ROOT } = require('../lib/engine');
const { ensureImages } = require('../lib/images');
const { removeDatabase, seed, startDatabase } = require('./database');
const { load } = require('./load');
const { API_SERVER, rssBytes, startServer } = require('./servers');
const { printTable } = require('./table');

const API_IMAGE = 'swfavorites/favorites:local';
const NEW_FAVORITE = JSON.stringify({
  type: 'movie',
  name: 'Bench favorite [<id>]',
  url: 'https://swapi.dev/api/films/1/',
});

/** @typedef {import('./servers').RunningServer} RunningServer */
/** @typedef {import('./load').LoadFigures} LoadFigures */

/**
 * What one run measures, read from the flags (camelCased) or BENCH_* variables.
 * @typedef {object} BenchOptions
 * @property {number} duration
 * @property {number} connections
 * @property {number} rounds
 * @property {number} warmup
 * @property {number[]} sizes
 * @property {number} swapiLatency
 * @property {number} queryTimeout
 */

// Flag, environment variable, default, and the bounds that keep a run short and local.
/** @type {Record<string, { env: string, fallback: string, min: number, max: number, help: string }>} */
const SETTINGS = {
  duration: { env: 'BENCH_DURATION', fallback: '5', min: 1, max: 60, help: 'seconds of load per round' },
  connections: {
    env: 'BENCH_CONNECTIONS',
    fallback: '20',
    min: 1,
    max: 500,
    help: 'concurrent keep-alive connections',
  },
  rounds: { env: 'BENCH_ROUNDS', fallback: '2', min: 1, max: 10, help: 'measured rounds per server and route' },
  warmup: {
    env: 'BENCH_WARMUP',
    fallback: '1',
    min: 0,
    max: 30,
    help: 'seconds of unmeasured load per server and route first',
  },
  sizes: {
    env: 'BENCH_SIZES',
    fallback: '100,10000',
    min: 1,
    max: 100_000,
    help: 'favorites seeded for the GET /favorites rounds',
  },
  'swapi-latency': {
    env: 'BENCH_SWAPI_LATENCY_MS',
    fallback: '50',
    min: 0,
    max: 5000,
    help: 'milliseconds the SWAPI stub waits before answering',
  },
  // The API's own default (MONGODB_QUERY_TIMEOUT_MS); raise it to see what a slow query costs, not its 504.
  'query-timeout': {
    env: 'BENCH_QUERY_TIMEOUT_MS',
    fallback: '1500',
    min: 1,
    max: 60_000,
    help: "both servers' maxTimeMS for a query",
  },
};

function usage() {
  const lines = Object.entries(SETTINGS).map(
    ([flag, s]) => `  --${flag.padEnd(14)} ${s.help} (${s.env}, default ${s.fallback})`,
  );
  return `Usage: npm run bench [-- --duration 5 --connections 20 ...]\n${lines.join('\n')}`;
}

/**
 * Flags first, then BENCH_* variables, then defaults; every value a whole number within its bounds.
 * @param {string[]} argv
 * @returns {BenchOptions}
 */
function readOptions(argv) {
  /** @type {import('node:util').ParseArgsConfig['options']} */
  const flags = {
    ...Object.fromEntries(Object.keys(SETTINGS).map((flag) => [flag, { type: 'string' }])),
    help: { type: 'boolean' },
  };
  const { values } = parseArgs({ args: argv, options: flags });
  if (values.help) {
    console.log(usage());
    process.exit(0);
  }
  /** @param {string} flag */
  const read = (flag) => {
    const { env, fallback, min, max } = SETTINGS[flag];
    // Every flag but --help is a string option.
    const raw = /** @type {string | undefined} */ (values[flag]) ?? process.env[env] ?? fallback;
    const numbers = raw.split(',').map((part) => (/^\d+$/.test(part.trim()) ? Number(part) : NaN));
    if (numbers.some((n) => !(n >= min && n <= max)) || (flag !== 'sizes' && numbers.length !== 1)) {
      throw new Error(
        `--${flag} (${env}) must be ${flag === 'sizes' ? 'a comma-separated list of whole numbers' : 'a whole number'} from ${min} to ${max}, got "${raw}"\n${usage()}`,
      );
    }
    return flag === 'sizes' ? numbers : numbers[0];
  };
  /** @param {string} flag */
  const camelCase = (flag) => flag.replace(/-(\w)/g, (_, /** @type {string} */ letter) => letter.toUpperCase());
  // SETTINGS names each flag of BenchOptions, and only sizes is a list.
  return /** @type {BenchOptions} */ (
    Object.fromEntries(Object.keys(SETTINGS).map((flag) => [camelCase(flag), read(flag)]))
  );
}

// Everything this run started, for cleanUp. Synchronous, so it works from process.on('exit').
/** @type {{ processes: Set<import('node:child_process').ChildProcess>, container: string | undefined }} */
const started = { processes: new Set(), container: undefined };
/** @param {import('node:child_process').ChildProcess} child */
const track = (child) => started.processes.add(child);

function cleanUp() {
  for (const child of started.processes)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  if (started.container) removeDatabase(started.container);
  started.container = undefined;
}
process.on('exit', cleanUp);
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) {
  process.on(signal, () => {
    process.stderr.write(`\n${signal}: stopping, removing the container and the servers\n`);
    process.exit(128 + constants.signals[signal]);
  });
}

/** @param {string} line */
const progress = (line) => process.stderr.write(`[bench] ${line}\n`);

/** Builds dist when it is missing or older than any source file; a fresh one is used as it is. */
function buildIfStale() {
  /** @type {(dir: string) => number} */
  const newest = (dir) =>
    readdirSync(dir, { withFileTypes: true }).reduce((latest, entry) => {
      const path = join(dir, entry.name);
      return Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
    }, 0);
  const sources = Math.max(
    newest(join(ROOT, 'services/favorites/src')),
    statSync(join(ROOT, 'services/favorites/tsconfig.build.json')).mtimeMs,
  );
  if (existsSync(API_SERVER) && statSync(API_SERVER).mtimeMs >= sources) return;
  progress('npm run build (dist is missing or older than src)');
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
}

/**
 * Milliseconds for one GET and its whole body, and the body's size in bytes; for an answer other
 * than 200 the bytes say so instead, since the load that follows shows such answers as errors.
 * @param {string} url
 * @returns {Promise<{ ms: number, bytes: number | string }>}
 */
async function timedGet(url) {
  const startedAt = performance.now();
  const res = await fetch(url);
  const body = Buffer.from(await res.arrayBuffer());
  const ms = performance.now() - startedAt;
  if (res.status === 200) return { ms, bytes: body.length };
  progress(`GET ${url} answered ${res.status}: ${body.toString().slice(0, 200)}`);
  return { ms, bytes: `n/a (${res.status})` };
}

/**
 * Loads `path` on both servers: an unmeasured warm-up each, then `rounds` measured rounds taken in
 * turns. Requests per second (2xx answers) are over all rounds; p50 and p99 are the rounds' means; errors add up.
 * @param {RunningServer[]} servers
 * @param {string} path
 * @param {BenchOptions} options
 * @param {string} [body]
 */
async function compare(servers, path, options, body) {
  /** @type {Record<RunningServer['kind'], LoadFigures[]>} */
  const runs = { api: [], limit: [] };
  /**
   * @param {RunningServer} server
   * @param {number} duration
   */
  const run = (server, duration) =>
    load(`${server.baseUrl}${path}`, { duration, connections: options.connections, body, track });
  if (options.warmup > 0) for (const server of servers) await run(server, options.warmup);
  for (let round = 1; round <= options.rounds; round += 1) {
    for (const server of servers) {
      progress(`${body ? 'POST' : 'GET'} ${path}: ${server.kind}, round ${round} of ${options.rounds}`);
      runs[server.kind].push(await run(server, options.duration));
    }
  }
  /**
   * @param {LoadFigures[]} list
   * @param {keyof LoadFigures} key
   */
  const sum = (list, key) => list.reduce((total, r) => total + r[key], 0);
  // A round in which no answer came has no latencies: it counts for none ("-" in the table).
  /**
   * @param {LoadFigures[]} list
   * @param {keyof LoadFigures} key
   */
  const mean = (list, key) => {
    const answered = list.filter((r) => r.answered > 0);
    return answered.length === 0 ? undefined : sum(answered, key) / answered.length;
  };
  /** @param {LoadFigures[]} list */
  const combined = (list) => ({
    rps: sum(list, 'ok') / sum(list, 'seconds'),
    p50: mean(list, 'p50'),
    p99: mean(list, 'p99'),
    errors: sum(list, 'errors'),
  });
  return { api: combined(runs.api), limit: combined(runs.limit) };
}

/**
 * @param {Awaited<ReturnType<typeof compare>>} figures
 * @returns {import('./table').Row[]}
 */
const loadRows = ({ api, limit }) => [
  ['req/s', api.rps, limit.rps],
  ['p50 (ms)', api.p50, limit.p50],
  ['p99 (ms)', api.p99, limit.p99],
  ['errors', String(api.errors), String(limit.errors), { ratio: false }],
];

/** @param {number | undefined} bytes */
const megabytes = (bytes) => (bytes === undefined ? 'n/a' : bytes / 1e6);

function apiImageSize() {
  const inspect = docker(['image', 'inspect', '--format', '{{.Size}}', API_IMAGE]);
  return inspect.ok ? megabytes(Number(inspect.stdout)) : 'not built';
}

async function main() {
  const options = readOptions(process.argv.slice(2));
  ensureEngine(progress);
  const { env: images, offline } = ensureImages(progress);
  const { FAVORITES_MONGO_IMAGE: mongoImage, FAVORITES_MONGO_HEALTHCHECK: healthcheck } = images;
  if (!mongoImage || !healthcheck)
    throw new Error('FAVORITES_MONGO_IMAGE and FAVORITES_MONGO_HEALTHCHECK must be set: compose/.env pins them');
  buildIfStale();

  const perRoute = options.warmup + options.rounds * options.duration;
  console.log('npm run bench: the API beside the limit (scripts/bench/limit-server.js), over loopback');
  console.log(
    `- load: autocannon ${require('autocannon/package.json').version}, ${options.connections} connections; per server and route ${options.warmup} s warm-up, then ${options.rounds} round(s) of ${options.duration} s, API and limit in turns (~${perRoute * 2} s a route)`,
  );
  console.log(
    `- database: ${mongoImage}${offline ? ' (offline stand-in for mongo)' : ''}, one container on 127.0.0.1, a database per server; seeded sizes ${options.sizes.join(', ')}; query time limit ${options.queryTimeout} ms`,
  );
  console.log(
    `- SWAPI: the stub (services/swapi-stub), answering in ${options.swapiLatency} ms; Node ${process.version}; ${cpus().length} CPUs shared by servers, load generator and database`,
  );

  const database = await startDatabase({
    image: mongoImage,
    healthcheck,
    onStarted: (name) => (started.container = name),
  });
  progress(`database container ${database.name} on ${database.address}`);

  const stub = createSwapiStub({ delayMs: options.swapiLatency });
  await new Promise((resolve) => stub.listen(0, '127.0.0.1', () => resolve(undefined)));
  const swapiUrl = `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (stub.address()).port}/api`;

  // One after the other, so neither start competes with the other's.
  /** @param {string} db */
  const mongoUrl = (db) => `mongodb://${database.address}/${db}`;
  const settings = { swapiUrl, queryTimeoutMs: options.queryTimeout };
  const api = await startServer('api', { ...settings, mongoUrl: mongoUrl('bench_api') }, track);
  const apiCold = await timedGet(`${api.baseUrl}/movies`);
  const limit = await startServer('limit', { ...settings, mongoUrl: mongoUrl('bench_limit') }, track);
  const limitCold = await timedGet(`${limit.baseUrl}/movies`);
  const servers = [api, limit];

  printTable(`GET /movies cold: the first request after start (the stub answers in ${options.swapiLatency} ms)`, [
    ['time (ms)', apiCold.ms, limitCold.ms],
    ['body bytes', apiCold.bytes, limitCold.bytes],
  ]);

  for (const size of options.sizes) {
    progress(`seeding ${size} favorites in each database`);
    await Promise.all([seed(mongoUrl('bench_api'), size), seed(mongoUrl('bench_limit'), size)]);
    const [apiPage, limitPage] = await Promise.all(servers.map((server) => timedGet(`${server.baseUrl}/favorites`)));
    printTable(`GET /favorites with ${size} favorites stored (first page, the default size)`, [
      ...loadRows(await compare(servers, '/favorites', options)),
      ['page bytes', apiPage.bytes, limitPage.bytes],
    ]);
  }

  printTable(
    'POST /favorites (a new name each request)',
    loadRows(await compare(servers, '/favorites', options, NEW_FAVORITE)),
  );

  const [apiWarm, limitWarm] = await Promise.all(servers.map((server) => timedGet(`${server.baseUrl}/movies`)));
  printTable('GET /movies warm (the API from its cache; the limit sends the same body from one buffer: the ceiling)', [
    ...loadRows(await compare(servers, '/movies', options)),
    ['body bytes', apiWarm.bytes, limitWarm.bytes],
  ]);

  printTable(
    'Summary',
    [
      ['start to ready (ms): spawn to the first 200 from /readyz', api.readyMs, limit.readyMs],
      ['RSS after the load (MB), from /proc', megabytes(rssBytes(api.child.pid)), megabytes(rssBytes(limit.child.pid))],
      [`image size (MB): ${API_IMAGE}`, apiImageSize(), '-', { ratio: false }],
    ],
    '\nAPI/limit: below 1 for req/s, above 1 for times and sizes, is what the API costs over the least the same work needs.\n' +
      'req/s counts 2xx answers. Latencies are whole milliseconds (autocannon), means over the rounds that got answers ("-": none did).\n' +
      'Errors are non-2xx answers plus failed requests; requests still waiting when a round ends are in neither.',
  );
}

main()
  .then(() => process.exit(0))
  .catch((error) => {
    console.error(`bench failed: ${error.message ?? error}`);
    process.exit(1);
  });
