#!/usr/bin/env node
// npm run bench:database: how the database image serves the favorites list and the duplicate check
// at 10,000 favorites, one column per image, so that stand-in setups are compared in one run:
//   npm run bench:database -- --images swfavorites/ferretdb:1.24.2,swfavorites/ferretdb:standin
// Each image is started a few times (start to healthy), then the API runs against it: 100 identical
// POSTs at once on 10,000 favorites, then the first page alone and 20 list requests at once on the
// 10,001, and a page far down the list. --starts N (default 3) sets how many starts the first figure
// takes. The API and the database share the machine's cores. It measures and prints; it asserts nothing.
// @ts-check
'use strict';

const { execFileSync } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { constants } = require('node:os');
const { parseArgs } = require('node:util');
const { docker, ensureEngine, ROOT } = require('../lib/engine');
const { ensureImages } = require('../lib/images');
const { NAME_PREFIX, removeDatabase, seed } = require('./database');
const { startServer } = require('./servers');

const SEEDED = 10_000;
const DUPLICATE_POSTS = 100;
const CONCURRENT_LISTS = 20;
const SEQUENTIAL_PAGES = 15;
const DEEP_PAGE = 51;
const HEALTH_POLL_MS = 100;
const HEALTH_DEADLINE_MS = 60_000;
// The API's default (MONGODB_QUERY_TIMEOUT_MS): a slower list answers 504, as it would for a user.
const QUERY_TIMEOUT_MS = 1500;

/** @type {{ processes: Set<import('node:child_process').ChildProcess>, containers: Set<string> }} */
const started = { processes: new Set(), containers: new Set() };
function cleanUp() {
  for (const child of started.processes)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const name of started.containers) removeDatabase(name);
  started.containers.clear();
}
process.on('exit', cleanUp);
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) {
  process.on(signal, () => process.exit(128 + constants.signals[signal]));
}

/** @param {string} line */
const progress = (line) => process.stderr.write(`[bench:database] ${line}\n`);
/** @param {number[]} values */
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/**
 * Runs the image and times it from `docker run` to the first pass of its healthcheck command, run
 * with `docker exec` every 100 ms (the engine's own healthcheck would round to its interval).
 * @param {string} image
 * @param {string} healthcheck
 * @returns {{ name: string, address: string, healthyMs: number }}
 */
function startTimed(image, healthcheck) {
  const name = `${NAME_PREFIX}${process.pid}-${randomBytes(3).toString('hex')}`;
  const startedAt = performance.now();
  const run = docker(
    ['run', '--detach', '--name', name, '--label', 'swfavorites.bench=true'].concat([
      '--publish',
      '127.0.0.1::27017',
      image,
    ]),
  );
  if (!run.ok) throw new Error(`docker run ${image} failed: ${run.stderr}`);
  started.containers.add(name);
  for (;;) {
    if (docker(['exec', name, 'sh', '-c', healthcheck]).ok) break;
    if (performance.now() - startedAt > HEALTH_DEADLINE_MS)
      throw new Error(`${image} was not healthy within 60 s:\n${docker(['logs', '--tail', '20', name]).stderr}`);
    execFileSync('sleep', [String(HEALTH_POLL_MS / 1000)]);
  }
  const healthyMs = performance.now() - startedAt;
  return { name, address: docker(['port', name, '27017/tcp']).stdout.split('\n')[0], healthyMs };
}

/**
 * One request: its status and milliseconds to the whole body.
 * @param {string} url
 * @param {RequestInit} [init]
 */
async function timed(url, init) {
  const startedAt = performance.now();
  const res = await fetch(url, init);
  await res.arrayBuffer();
  return { status: res.status, ms: performance.now() - startedAt };
}

/**
 * "201 × 1, 409 × 99": how many answers of each status.
 * @param {{ status: number }[]} answers
 */
function statuses(answers) {
  /** @type {Map<number, number>} */
  const counts = new Map();
  for (const { status } of answers) counts.set(status, (counts.get(status) ?? 0) + 1);
  return [...counts.entries()]
    .sort(([a], [b]) => a - b)
    .map(([status, count]) => `${status} × ${count}`)
    .join(', ');
}

/**
 * Every figure for one image.
 * @param {string} image
 * @param {string} healthcheck
 * @param {number} starts
 */
async function measure(image, healthcheck, starts) {
  progress(`${image}: ${starts} start(s)`);
  const healthy = [];
  for (let i = 1; i < starts; i += 1) {
    const { name, healthyMs } = startTimed(image, healthcheck);
    healthy.push(healthyMs);
    removeDatabase(name);
    started.containers.delete(name);
  }
  const database = startTimed(image, healthcheck);
  healthy.push(database.healthyMs);

  const mongoUrl = `mongodb://${database.address}/bench_standin`;
  progress(`${image}: seeding ${SEEDED} favorites`);
  await seed(mongoUrl, SEEDED);
  const api = await startServer(
    'api',
    { mongoUrl, swapiUrl: 'http://127.0.0.1:9/api', queryTimeoutMs: QUERY_TIMEOUT_MS },
    (child) => started.processes.add(child),
  );
  const favorites = `${api.baseUrl}/favorites`;
  // Unmeasured: the API's first list pays for warming up its connections.
  await timed(favorites);

  progress(`${image}: ${DUPLICATE_POSTS} identical POSTs at once`);
  const body = JSON.stringify({
    type: 'movie',
    name: `Duplicate ${randomBytes(4).toString('hex')}`,
    url: 'https://swapi.dev/api/films/1/',
  });
  const posts = await Promise.all(
    Array.from({ length: DUPLICATE_POSTS }, () =>
      timed(favorites, { method: 'POST', headers: { 'content-type': 'application/json' }, body }),
    ),
  );

  progress(`${image}: the first page, ${SEQUENTIAL_PAGES} times one after the other`);
  const pages = [];
  for (let i = 0; i < SEQUENTIAL_PAGES; i += 1) pages.push(await timed(favorites));

  progress(`${image}: ${CONCURRENT_LISTS} list requests at once`);
  const lists = await Promise.all(Array.from({ length: CONCURRENT_LISTS }, () => timed(favorites)));

  // Far down the list by cursor: the database must find where the cursor is, as no page is skipped by position.
  let url = `${favorites}?limit=100`;
  for (let page = 1; page < DEEP_PAGE; page += 1) {
    const { next } = /** @type {{ next: string | null }} */ (await (await fetch(url)).json());
    if (!next) break;
    url = `${favorites}?limit=100&cursor=${next}`;
  }
  const deep = await timed(url);

  api.child.kill('SIGTERM');
  removeDatabase(database.name);
  started.containers.delete(database.name);
  return {
    healthy: median(healthy),
    posts: statuses(posts),
    postsMs: Math.max(...posts.map((p) => p.ms)),
    page: median(pages.map((p) => p.ms)),
    pageStatuses: statuses(pages),
    lists: statuses(lists),
    listsMs: Math.max(...lists.map((p) => p.ms)),
    deep: deep.status === 200 ? deep.ms : `${deep.status}`,
  };
}

async function main() {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { images: { type: 'string' }, starts: { type: 'string', default: '3' } },
  });
  ensureEngine(progress);
  const { env } = ensureImages(progress);
  const images = (values.images ?? env.FAVORITES_MONGO_IMAGE ?? '').split(',').filter(Boolean);
  const healthcheck = env.FAVORITES_MONGO_HEALTHCHECK;
  const starts = Number(values.starts);
  if (images.length === 0 || !healthcheck || !(starts >= 1 && starts <= 10))
    throw new Error('usage: npm run bench:database [-- --images a,b --starts 3]');
  progress('npm run build');
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });

  /** @type {Awaited<ReturnType<typeof measure>>[]} */
  const results = [];
  for (const image of images) results.push(await measure(image, healthcheck, starts));

  /** @param {number | string} value */
  const cell = (value) => (typeof value === 'number' ? String(Math.round(value)) : value);
  /** @type {[string, (r: (typeof results)[number]) => number | string][]} */
  const rows = [
    [`start to healthy (ms), median of ${starts}`, (r) => r.healthy],
    [`${DUPLICATE_POSTS} identical POSTs at once on ${SEEDED} favorites`, (r) => r.posts],
    ['  the slowest of them (ms)', (r) => r.postsMs],
    [`first page alone (ms), median of ${SEQUENTIAL_PAGES}`, (r) => r.page],
    ['  their answers', (r) => r.pageStatuses],
    [`${CONCURRENT_LISTS} first-page requests at once`, (r) => r.lists],
    ['  the slowest of them (ms)', (r) => r.listsMs],
    [`page ${DEEP_PAGE} of 100 favorites, by cursor (ms)`, (r) => r.deep],
  ];
  const lines = [
    `\nnpm run bench:database: the API on each database image, ${SEEDED} favorites seeded, query time limit ${QUERY_TIMEOUT_MS} ms`,
    `| | ${images.join(' | ')} |`,
    `|---|${images.map(() => '---:').join('|')}|`,
    ...rows.map(([label, get]) => `| ${label} | ${results.map((r) => cell(get(r))).join(' | ')} |`),
  ];
  console.log(lines.join('\n'));
}

main()
  .then(() => process.exit(0))
  .catch((error) => {
    console.error(`bench:database failed: ${error.message ?? error}`);
    process.exit(1);
  });
