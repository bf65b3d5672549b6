#!/usr/bin/env node
// npm run bench: the API's throughput and latency, each set beside the "limit" (limit-server.js: the
// same queries with node:http and the mongodb driver alone), on one database container and one
// SWAPI stub, over loopback; GET /movies also beside bare Express (express-server.js). The servers
// get the same load in turns, each round starting with the next one (API, limit; limit, API...), so
// that whatever else the machine does hits them alike; start to ready is timed the same way, in
// turns, for the source build, the image's entry point (built first, with Docker's cache) and the
// limit. It measures and prints; it asserts nothing. With --write-docs <section> it also writes what
// it printed into docs/performance.md, between that section's markers. It removes what it started
// (the container with its volumes, every process) however it ends.
// @ts-check
'use strict';

const { execFileSync } = require('node:child_process');
const { existsSync, readdirSync, readFileSync, statSync, writeFileSync } = require('node:fs');
const { join, relative } = require('node:path');
const { constants, cpus } = require('node:os');
const { parseArgs } = require('node:util');
const { createSwapiStub } = require('../../services/swapi-stub/server');
const { API_SERVER } = require('../lib/api-command');
const { docker, ensureEngine, ROOT } = require('../lib/engine');
const { ensureImages, pruneReplacedImages } = require('../lib/images');
const { removeDatabase, seed, startDatabase } = require('./database');
const { load } = require('./load');
const { rssBytes, startServer, startTimes } = require('./servers');
const { formatTable } = require('./table');

// The API image compose runs, so FAVORITES_API_IMAGE names it here as it does there.
const API_IMAGE = process.env.FAVORITES_API_IMAGE ?? 'swfavorites/favorites:local';
const DOCS_PAGE = join(ROOT, 'docs', 'performance.md');
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
 * @property {number} starts
 * @property {number} imageStarts
 * @property {string | undefined} writeDocs
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
  starts: {
    env: 'BENCH_STARTS',
    fallback: '5',
    min: 1,
    max: 20,
    help: 'starts timed per server for start to ready (the median is shown)',
  },
  'image-starts': {
    env: 'BENCH_IMAGE_STARTS',
    fallback: '5',
    min: 0,
    max: 20,
    help: "starts timed of the API image's entry point; 0 neither builds nor times the image",
  },
};

function usage() {
  const lines = Object.entries(SETTINGS).map(
    ([flag, s]) => `  --${flag.padEnd(14)} ${s.help} (${s.env}, default ${s.fallback})`,
  );
  lines.push(
    `  --${'write-docs'.padEnd(14)} also write what it prints into ${relative(ROOT, DOCS_PAGE)}, between <!-- bench:<section> --> and <!-- /bench:<section> -->`,
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
    'write-docs': { type: 'string' },
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
  const writeDocs = /** @type {string | undefined} */ (values['write-docs']);
  if (writeDocs !== undefined && !/^[a-z0-9-]+$/.test(writeDocs))
    throw new Error(`--write-docs takes a section name (letters, digits, dashes), got "${writeDocs}"\n${usage()}`);
  return /** @type {BenchOptions} */ ({
    ...Object.fromEntries(Object.keys(SETTINGS).map((flag) => [camelCase(flag), read(flag)])),
    writeDocs,
  });
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
 * Loads `path` on each server: an unmeasured warm-up each, then `rounds` measured rounds taken in
 * turns. Requests per second (2xx answers) are over all rounds; p50 and p99 are the rounds' means; errors add up.
 * @param {RunningServer[]} servers
 * @param {string} path
 * @param {BenchOptions} options
 * @param {string} [body]
 */
async function compare(servers, path, options, body) {
  /** @type {Map<RunningServer['kind'], LoadFigures[]>} */
  const runs = new Map(servers.map((server) => [server.kind, []]));
  /**
   * @param {RunningServer} server
   * @param {number} duration
   */
  const run = (server, duration) =>
    load(`${server.baseUrl}${path}`, { duration, connections: options.connections, body, track });
  if (options.warmup > 0) for (const server of servers) await run(server, options.warmup);
  for (let round = 1; round <= options.rounds; round += 1) {
    // Each round starts with the next server, so none always runs first, straight after the
    // previous route's load, or always after the same neighbour.
    const shift = (round - 1) % servers.length;
    for (const server of [...servers.slice(shift), ...servers.slice(0, shift)]) {
      const figures = await run(server, options.duration);
      runs.get(server.kind)?.push(figures);
      progress(
        `${body ? 'POST' : 'GET'} ${path}: ${server.kind}, round ${round} of ${options.rounds}: ` +
          `${Math.round(figures.ok / figures.seconds)} req/s, p50 ${figures.p50} ms, p99 ${figures.p99} ms`,
      );
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
  /** @param {RunningServer['kind']} kind */
  const combined = (kind) => {
    const list = runs.get(kind) ?? [];
    return {
      rps: sum(list, 'ok') / sum(list, 'seconds'),
      p50: mean(list, 'p50'),
      p99: mean(list, 'p99'),
      errors: sum(list, 'errors'),
    };
  };
  return { api: combined('api'), limit: combined('limit'), express: combined('express') };
}

/**
 * @param {{ rps: number, p50?: number, p99?: number, errors: number }} api
 * @param {{ rps: number, p50?: number, p99?: number, errors: number }} reference
 * @returns {import('./table').Row[]}
 */
const loadRows = (api, reference) => [
  ['req/s', api.rps, reference.rps],
  ['p50 (ms)', api.p50, reference.p50],
  ['p99 (ms)', api.p99, reference.p99],
  ['errors', String(api.errors), String(reference.errors), { ratio: false }],
];

/** @param {number | undefined} bytes */
const megabytes = (bytes) => (bytes === undefined ? 'n/a' : bytes / 1e6);

function apiImageSize() {
  const inspect = docker(['image', 'inspect', '--format', '{{.Size}}', API_IMAGE]);
  return inspect.ok ? megabytes(Number(inspect.stdout)) : 'not built';
}

/**
 * Builds the API image from the current sources, as compose would (Docker's cache makes it quick
 * when nothing changed), so that the figures for its entry point are this code's.
 * @param {string} nodeImage
 */
function buildApiImage(nodeImage) {
  progress(`docker build ${API_IMAGE} (the image's entry point is timed)`);
  const built = docker(
    [
      'build',
      '--quiet',
      '--file',
      'services/favorites/Dockerfile',
      '--build-arg',
      `NODE_IMAGE=${nodeImage}`,
      '--tag',
      API_IMAGE,
      '.',
    ],
    { cwd: ROOT },
  );
  if (!built.ok) throw new Error(`docker build ${API_IMAGE} failed:\n${built.stderr}`);
  pruneReplacedImages();
}

/** @param {number[]} values */
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/**
 * Start to ready, `options.starts` times for the source build and the limit and
 * `options.imageStarts` times for the image, one start of each in turn, so that a busy moment of
 * the machine hits all of them alike. Each on a database of its own, as in the load rounds.
 * @param {Omit<import('./servers').ServerSettings, 'mongoUrl'>} common
 * @param {(db: string) => string} mongoUrl
 * @param {BenchOptions} options
 */
async function timeStarts(common, mongoUrl, options) {
  // A new database for every start: FerretDB drops the limit's connection when the indexes it
  // makes at start exist already, and each start then makes its indexes as a first start does.
  let databases = 0;
  const settings = () => ({ ...common, mongoUrl: mongoUrl(`bench_start_${(databases += 1)}`) });
  // One untimed start each first, which reads their files into the page cache: the timed starts are restarts alike.
  /** @type {import('./servers').StartTarget[]} */
  const targets = [{ kind: 'source' }, { kind: 'limit' }];
  if (options.imageStarts > 0) targets.push({ kind: 'image', image: API_IMAGE });
  for (const target of targets) {
    progress(`start to ready: an untimed start of the ${target.kind} first`);
    await startTimes(target, settings(), 1, track);
  }
  /** @type {Record<'source' | 'limit' | 'image', number[]>} */
  const times = { source: [], limit: [], image: [] };
  for (let round = 0; round < Math.max(options.starts, options.imageStarts); round += 1) {
    progress(`start to ready: round ${round + 1}`);
    if (round < options.starts) times.source.push(...(await startTimes({ kind: 'source' }, settings(), 1, track)));
    if (round < options.imageStarts)
      times.image.push(...(await startTimes({ kind: 'image', image: API_IMAGE }, settings(), 1, track)));
    if (round < options.starts) times.limit.push(...(await startTimes({ kind: 'limit' }, settings(), 1, track)));
  }
  return {
    source: median(times.source),
    limit: median(times.limit),
    image: times.image.length > 0 ? median(times.image) : undefined,
    all: times,
  };
}

/**
 * Puts `text` into docs/performance.md between `<!-- bench:<section> -->` and
 * `<!-- /bench:<section> -->`, formatted as the page is (Prettier), so that the figures in the docs
 * come from this command and never from a hand.
 * @param {string} section
 * @param {string} text
 */
async function writeDocs(section, text) {
  const page = readFileSync(DOCS_PAGE, 'utf8');
  const [open, close] = [`<!-- bench:${section} -->`, `<!-- /bench:${section} -->`];
  const [from, to] = [page.indexOf(open), page.indexOf(close)];
  if (from < 0 || to < from)
    throw new Error(`${relative(ROOT, DOCS_PAGE)} has no "${open}" ... "${close}" to write between`);
  const updated = `${page.slice(0, from + open.length)}\n\n${text.trim()}\n\n${page.slice(to)}`;
  const prettier = require('prettier');
  const options = await prettier.resolveConfig(DOCS_PAGE);
  writeFileSync(DOCS_PAGE, await prettier.format(updated, { ...options, filepath: DOCS_PAGE }));
  progress(`wrote the figures into ${relative(ROOT, DOCS_PAGE)} (section ${section})`);
}

async function main() {
  const options = readOptions(process.argv.slice(2));
  /** @type {string[]} */
  const printed = [];
  /** @param {string} text */
  const say = (text) => {
    console.log(text);
    printed.push(text);
  };
  ensureEngine(progress);
  const { env: images, offline } = ensureImages(progress);
  const {
    FAVORITES_MONGO_IMAGE: mongoImage,
    FAVORITES_MONGO_HEALTHCHECK: healthcheck,
    FAVORITES_NODE_IMAGE: nodeImage,
  } = images;
  if (!mongoImage || !healthcheck || !nodeImage)
    throw new Error(
      'FAVORITES_MONGO_IMAGE, FAVORITES_MONGO_HEALTHCHECK and FAVORITES_NODE_IMAGE must be set: compose/.env pins them',
    );
  buildIfStale();
  if (options.imageStarts > 0) buildApiImage(nodeImage);

  const perRoute = options.warmup + options.rounds * options.duration;
  say('npm run bench: the API beside the limit (scripts/bench/limit-server.js), over loopback');
  say(
    `- load: autocannon ${require('autocannon/package.json').version}, ${options.connections} connections; per server and route ${options.warmup} s warm-up, then ${options.rounds} round(s) of ${options.duration} s, the servers in turns, each round starting with the next (~${perRoute * 2} s a route, ~${perRoute * 3} s for GET /movies warm)`,
  );
  say(
    `- database: ${mongoImage}${offline ? ' (offline stand-in for mongo)' : ''}, one container on 127.0.0.1, a database per server; seeded sizes ${options.sizes.join(', ')}; query time limit ${options.queryTimeout} ms`,
  );
  say(
    `- SWAPI: the stub (services/swapi-stub), answering in ${options.swapiLatency} ms; Node ${process.version}; ${cpus().length} CPUs shared by servers, load generator and database`,
  );
  say(
    `- start to ready: median of ${options.starts} starts (source build, limit) and ${options.imageStarts} (${API_IMAGE}'s entry point, in the image with its own node: ${nodeImage}), taken in turns`,
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

  /** @param {string} db */
  const mongoUrl = (db) => `mongodb://${database.address}/${db}`;
  const settings = { swapiUrl, queryTimeoutMs: options.queryTimeout };
  const starts = await timeStarts(settings, mongoUrl, options);

  // One after the other, so neither start competes with the other's.
  const api = await startServer('api', { ...settings, mongoUrl: mongoUrl('bench_api') }, track);
  const apiCold = await timedGet(`${api.baseUrl}/movies`);
  const limit = await startServer('limit', { ...settings, mongoUrl: mongoUrl('bench_limit') }, track);
  const limitCold = await timedGet(`${limit.baseUrl}/movies`);
  const servers = [api, limit];

  say(
    formatTable(`GET /movies cold: the first request after start (the stub answers in ${options.swapiLatency} ms)`, [
      ['time (ms)', apiCold.ms, limitCold.ms],
      ['body bytes', apiCold.bytes, limitCold.bytes],
    ]),
  );

  for (const size of options.sizes) {
    progress(`seeding ${size} favorites in each database`);
    await Promise.all([seed(mongoUrl('bench_api'), size), seed(mongoUrl('bench_limit'), size)]);
    const [apiPage, limitPage] = await Promise.all(servers.map((server) => timedGet(`${server.baseUrl}/favorites`)));
    const { api: apiLoad, limit: limitLoad } = await compare(servers, '/favorites', options);
    say(
      formatTable(`GET /favorites with ${size} favorites stored (first page, the default size)`, [
        ...loadRows(apiLoad, limitLoad),
        ['page bytes', apiPage.bytes, limitPage.bytes],
      ]),
    );
  }

  const posted = await compare(servers, '/favorites', options, NEW_FAVORITE);
  say(formatTable('POST /favorites (a new name each request)', loadRows(posted.api, posted.limit)));

  const express = await startServer('express', { ...settings, mongoUrl: mongoUrl('bench_express') }, track);
  const withExpress = [...servers, express];
  const [apiWarm, limitWarm, expressWarm] = await Promise.all(
    withExpress.map((server) => timedGet(`${server.baseUrl}/movies`)),
  );
  const movies = await compare(withExpress, '/movies', options);
  say(
    formatTable(
      'GET /movies warm (the API from its cache; the limit sends the same body from one buffer: the ceiling)',
      [...loadRows(movies.api, movies.limit), ['body bytes', apiWarm.bytes, limitWarm.bytes]],
    ),
  );
  say(
    formatTable(
      'GET /movies warm beside bare Express (scripts/bench/express-server.js: res.json of the same body, nothing else)',
      [...loadRows(movies.api, movies.express), ['body bytes', apiWarm.bytes, expressWarm.bytes]],
      undefined,
      'bare Express',
    ),
  );

  /** @param {number[]} times */
  const spread = (times) =>
    times.length > 0 ? `${Math.round(Math.min(...times))}–${Math.round(Math.max(...times))}` : '-';
  say(
    formatTable(
      'Summary',
      [
        [`start to ready (ms), source build: spawn to the first 200 from /readyz, median`, starts.source, starts.limit],
        [
          `start to ready (ms), the image's entry point, median`,
          starts.image ?? 'not timed',
          starts.limit,
          { ratio: starts.image !== undefined },
        ],
        [
          'start to ready, range (ms): source build; image',
          `${spread(starts.all.source)}; ${spread(starts.all.image)}`,
          spread(starts.all.limit),
          { ratio: false },
        ],
        [
          'RSS after the load (MB), from /proc',
          megabytes(rssBytes(api.child.pid)),
          megabytes(rssBytes(limit.child.pid)),
        ],
        [`image size (MB): ${API_IMAGE}`, apiImageSize(), '-', { ratio: false }],
      ],
      '\nAPI/limit (or API/bare Express): below 1 for req/s, above 1 for times and sizes, is what the API costs over the reference.\n' +
        'req/s counts 2xx answers. Latencies are whole milliseconds (autocannon), means over the rounds that got answers ("-": none did).\n' +
        'Errors are non-2xx answers plus failed requests; requests still waiting when a round ends are in neither.',
    ),
  );

  if (options.writeDocs !== undefined) {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    await writeDocs(
      options.writeDocs,
      `\`npm run bench -- ${process.argv.slice(2).join(' ')}\` on commit ${commit}, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC:\n\n${printed.join('\n')}`,
    );
  }
}

main()
  .then(() => process.exit(0))
  .catch((error) => {
    console.error(`bench failed: ${error.message ?? error}`);
    process.exit(1);
  });
