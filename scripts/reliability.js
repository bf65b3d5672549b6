#!/usr/bin/env node
// npm run reliability [-- --runs N]: the fault and shutdown runs of test/scenarios/network.faults.test.ts
// and network.shutdown.test.ts, as figures for people. Brings up compose/network.yml under a project of
// its own (API on 127.0.0.1:${FAVORITES_PORT:-3100}), runs each fault N times (default 10) under load
// (10 writers, 20 keep-alive readers), then `docker compose stop` under 20 keep-alive readers, and
// prints one table, then every answer that was not a 503 with a hint, with the API's log line for it.
// The tests assert; this only measures. It removes everything it started, volumes included.
// @ts-check
'use strict';

const { execFile, spawnSync } = require('node:child_process');
const { promisify } = require('node:util');
const { FAULTS, apiLogLines, runFault, startReaders, unexpectedRefusals } = require('./lib/faults');
const { docker, ensureEngine, ROOT } = require('./lib/engine');
const { ensureImages } = require('./lib/images');
const { readyzUntil } = require('./lib/readyz');

const PROJECT = 'favorites-reliability';
const API = `${PROJECT}-favorites-1`;
const NETWORK = 'favorites-reliability-net';
const PORT = process.env.FAVORITES_PORT ?? '3100';
const baseUrl = `http://127.0.0.1:${PORT}`;
const RUNS = Number(process.argv[process.argv.indexOf('--runs') + 1] || 0) || 10;
/**
 * The images in use (ensureImages), once main() has them.
 * @type {import('./lib/images').EnvVariables}
 */
let env = {};

/**
 * One line of the table: a fault's figures (FaultReport), or those of the stop under load.
 * @typedef {object} Row
 * @property {string} scenario
 * @property {number} requests
 * @property {Record<string, number>} statuses
 * @property {number | null} slowestMs
 * @property {number | '-'} writesLost
 * @property {number} [acknowledgedWrites]
 * @property {number | null} recoveryMs
 */

/** @param {string[]} args */
const composeArgs = (args) => ['compose', '-p', PROJECT, '-f', 'compose/network.yml', ...args];
/** @returns {import('node:child_process').SpawnSyncOptionsWithStringEncoding} */
const composeOptions = () => ({
  cwd: ROOT,
  env: {
    ...process.env,
    ...env,
    FAVORITES_NETWORK: NETWORK,
    FAVORITES_PORT: PORT,
    COMPOSE_PROFILES: 'offline',
    SWAPI_BASE_URL: 'http://swapi-stub:8080/api',
  },
  encoding: 'utf8',
});

/** @param {string[]} args */
function compose(...args) {
  const result = spawnSync('docker', composeArgs(args), composeOptions());
  if (result.status !== 0) throw new Error(`docker compose ${args.join(' ')} failed: ${result.stderr}`);
}

/**
 * The same, without blocking: the clients under measurement must keep reading meanwhile.
 * @param {string[]} args
 */
const composeAsync = (...args) => promisify(execFile)('docker', composeArgs(args), composeOptions());

const ready = () => readyzUntil(baseUrl, ({ status }) => status === 200);

/**
 * `docker compose stop` while 20 keep-alive clients read; clients leave when told `Connection: close`.
 * @returns {Promise<Row & { dropped: number }>}
 */
async function stopUnderLoad() {
  const clients = startReaders(`${baseUrl}/favorites`, 20);
  await clients.reading;
  const started = Date.now();
  await composeAsync('stop');
  const stopMs = Date.now() - started;
  const results = await clients.results;
  /** @type {Record<string, number>} */
  const statuses = {};
  for (const status of results.flatMap((r) => r.statuses)) statuses[status] = (statuses[status] ?? 0) + 1;
  const dropped = results.flatMap((r) => r.errors);
  for (const error of dropped) statuses[error] = (statuses[error] ?? 0) + 1;
  const exitCode = docker(['inspect', '--format', '{{.State.ExitCode}}', API]).stdout;
  return {
    scenario: `docker compose stop under 20 keep-alive readers (API exit ${exitCode}, stop took ${(stopMs / 1000).toFixed(1)} s)`,
    requests: results.reduce((n, r) => n + r.statuses.length + r.errors.length, 0),
    statuses,
    slowestMs: null,
    writesLost: '-',
    recoveryMs: null,
    dropped: dropped.length,
  };
}

/**
 * One row for all runs of a fault: counts summed, the slowest answer and the slowest recovery.
 * @param {string} scenario
 * @param {import('./lib/faults').FaultReport[]} runs
 * @returns {Row}
 */
function summed(scenario, runs) {
  /** @type {Record<string, number>} */
  const statuses = {};
  for (const run of runs)
    for (const [status, count] of Object.entries(run.statuses)) statuses[status] = (statuses[status] ?? 0) + count;
  const recoveries = runs.map((run) => run.recoveryMs);
  return {
    scenario,
    requests: runs.reduce((n, run) => n + run.requests, 0),
    statuses,
    slowestMs: Math.max(...runs.map((run) => run.slowestMs)),
    writesLost: runs.reduce((n, run) => n + run.writesLost, 0),
    acknowledgedWrites: runs.reduce((n, run) => n + run.acknowledgedWrites, 0),
    recoveryMs: recoveries.includes(null) ? null : Math.max(.../** @type {number[]} */ (recoveries)),
  };
}

/**
 * One answer that was not a 503 with a hint, with the API's log line for it.
 * @param {{ fault: string, answer: import('./lib/faults').Answer, logged: string[] }} seen
 */
function printUnexpected({ fault, answer, logged }) {
  console.log(`- ${fault}: ${answer.error ?? answer.status} ${JSON.stringify(answer.body)}`);
  for (const line of logged) console.log(`    API: ${line.slice(0, 600)}`);
}

/** @param {Row[]} rows */
function printTable(rows) {
  const header = ['scenario', 'requests', 'answers by status', 'slowest', 'acked writes lost', 'recovery'];
  const cells = rows.map((r) => [
    r.scenario,
    String(r.requests),
    Object.entries(r.statuses)
      .map(([status, count]) => `${status}: ${count}`)
      .join(', '),
    r.slowestMs === null ? '-' : `${(r.slowestMs / 1000).toFixed(2)} s`,
    r.writesLost === '-' ? '-' : `${r.writesLost} of ${r.acknowledgedWrites}`,
    r.recoveryMs === null ? '-' : `${(r.recoveryMs / 1000).toFixed(2)} s`,
  ]);
  console.log(`| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|`);
  for (const row of cells) console.log(`| ${row.join(' | ')} |`);
}

async function main() {
  ensureEngine();
  env = ensureImages(() => undefined).env;
  console.log(`Bringing up compose/network.yml as ${PROJECT} on ${baseUrl} ...`);
  compose('up', '-d', '--build', '--wait');
  /** @type {Row[]} */
  const rows = [];
  /** @type {{ fault: string, answer: import('./lib/faults').Answer, logged: string[] }[]} */
  const unexpected = [];
  try {
    for (const fault of Object.keys(FAULTS)) {
      /** @type {import('./lib/faults').FaultReport[]} */
      const runs = [];
      for (let run = 1; run <= RUNS; run += 1) {
        await ready();
        process.stdout.write(`running: ${fault}, ${run} of ${RUNS} ... `);
        const report = await runFault(
          fault,
          { baseUrl, mongo: `${PROJECT}-mongodb-1`, network: NETWORK },
          { tag: `reliability ${rows.length}-${run}` },
        );
        runs.push(report);
        const odd = unexpectedRefusals(report.refusals);
        console.log(odd.length ? `${odd.length} unexpected, the first:` : 'done');
        // Printed at once too: a later run that fails must not take these with it.
        for (const answer of odd.slice(0, 3)) {
          const seen = { fault, answer, logged: apiLogLines(API, [answer]) };
          unexpected.push(seen);
          printUnexpected(seen);
        }
      }
      rows.push(summed(fault, runs));
    }
    await ready();
    process.stdout.write('running: docker compose stop under load ... ');
    rows.push(await stopUnderLoad());
    console.log('done\n');
  } finally {
    compose('down', '--volumes', '--remove-orphans');
  }
  printTable(rows);
  console.log(
    `\nEach fault ran ${RUNS} times. A refusal is a 503 with the hint; "slowest" is the longest any request waited; recovery is the slowest time from the end of a fault to the first write that succeeded.`,
  );
  console.log(`\nAnswers that were not a 503 with a hint: ${unexpected.length ? '' : 'none'}`);
  unexpected.forEach(printUnexpected);
}

main().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
