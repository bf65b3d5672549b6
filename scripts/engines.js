#!/usr/bin/env node
// The engine matrix (docs/engines.md): the scenario suites on every engine this machine can get.
//   npm run test:engines [-- <suite path patterns>]   each engine in turn, then a table suite × engine
//   node scripts/engines.js run <engine> -- <command>  one command on one engine (FAVORITES_ENGINE)
//   node scripts/engines.js stop [<engine>...]        stops the extra engines it started
// The default engine is `docker` (whatever DOCKER_HOST or the default socket is); the others are
// second daemons in network namespaces of their own (scripts/lib/engine.js), provisioned when asked.
// @ts-check
'use strict';

const { spawn, spawnSync } = require('node:child_process');
const { mkdtempSync, openSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { EXTRA_ENGINES, ROOT, docker, ensureEngine, ensureExtraEngine, stopExtraEngine } = require('./lib/engine');
const { buildBalancerImage, buildToolboxImage, ensureImages, toolboxImage } = require('./lib/images');

const log = (/** @type {string} */ line) => process.stdout.write(`[engines] ${line}\n`);

// On the shared default engine these change engine-wide state (swarm mode, the default bridge):
// the matrix runs them only on the engines it started itself.
const ENGINE_WIDE_SUITES = ['swarm.test.ts', 'ip.docker-run.test.ts'];

/** @param {string} name */
const dockerHostOf = (name) =>
  /** @type {Record<string, import('./lib/engine').ExtraEngine>} */ (EXTRA_ENGINES)[name]?.socket;

/**
 * The images the suites run, built or pulled on the default engine: the pins (or their offline
 * stand-ins), the API, the SWAPI stub and the debugging toolbox.
 * @returns {string[]}
 */
function imagesOnDefaultEngine() {
  const { env } = ensureImages(log);
  const api = process.env.FAVORITES_API_IMAGE ?? 'swfavorites/favorites:local';
  const built = docker(['compose', '-f', 'network.yml', 'build', 'favorites', 'swapi-stub'], {
    cwd: join(ROOT, 'compose'),
    env: { ...process.env, ...env, FAVORITES_API_IMAGE: api, COMPOSE_PROFILES: 'offline' },
  });
  if (!built.ok) throw new Error(`building the API and the stub failed: ${built.stderr}`);
  buildToolboxImage(env);
  buildBalancerImage(env);
  const pinned = [env.FAVORITES_NODE_IMAGE, env.FAVORITES_MONGO_IMAGE, env.FAVORITES_DEBIAN_IMAGE];
  return [
    ...pinned.filter((image) => image !== undefined),
    api,
    'swfavorites/swapi-stub:local',
    'swfavorites/balancer:local',
    toolboxImage(env),
  ];
}

/**
 * Copies the images the extra engine `name` lacks, or has in another version, from the default
 * engine (docker save | docker load): the extra engines reach no registry from their namespace.
 * @param {string} name
 * @param {string[]} images
 */
function copyImages(name, images) {
  const target = { ...process.env, DOCKER_HOST: `unix://${dockerHostOf(name)}` };
  const idOf = (/** @type {string} */ image, /** @type {NodeJS.ProcessEnv} */ env) =>
    spawnSync('docker', ['image', 'inspect', '--format', '{{.Id}}', image], { encoding: 'utf8', env }).stdout.trim();
  const missing = images.filter((image) => idOf(image, process.env) !== idOf(image, target));
  if (missing.length === 0) return;
  log(`copying ${missing.join(', ')} to ${name}`);
  const copied = spawnSync(
    'bash',
    ['-c', 'docker save "$@" | DOCKER_HOST="$TARGET" docker load --quiet', 'copy', ...missing],
    {
      encoding: 'utf8',
      env: { ...process.env, TARGET: target.DOCKER_HOST },
    },
  );
  if (copied.status !== 0) throw new Error(`copying images to ${name} failed: ${copied.stderr}`);
}

/**
 * Runs `command` on engine `name`: the default one as it is, an extra one inside its network
 * namespace with DOCKER_HOST at its socket. Returns the exit status.
 * @param {string} name
 * @param {string[]} command
 */
function runOn(name, command) {
  const env = { ...process.env, FAVORITES_ENGINE: name };
  const socket = dockerHostOf(name);
  if (!socket) return spawnSync(command[0], command.slice(1), { stdio: 'inherit', env, cwd: ROOT }).status ?? 1;
  const netns = `/run/netns/${/** @type {Record<string, import('./lib/engine').ExtraEngine>} */ (EXTRA_ENGINES)[name].netns}`;
  return (
    spawnSync('nsenter', [`--net=${netns}`, ...command], {
      stdio: 'inherit',
      env: { ...env, DOCKER_HOST: `unix://${socket}` },
      cwd: ROOT,
    }).status ?? 1
  );
}

/**
 * One engine's results, suite by suite: passed, or the first failure's message.
 * @typedef {Map<string, { passed: boolean, failure?: string }>} Results
 */

/**
 * Runs the scenario suites (or those `patterns` name) on engine `name`, with Jest's JSON report,
 * alongside the other engines' runs: two suites at a time each, unless FAVORITES_TEST_WORKERS says.
 * @param {string} name
 * @param {string[]} patterns
 * @returns {Promise<Results>}
 */
async function runSuites(name, patterns) {
  const dir = mkdtempSync(join(tmpdir(), 'engines-'));
  const output = join(dir, 'results.json');
  const ignore = name === 'docker' ? ENGINE_WIDE_SUITES.map((suite) => `--testPathIgnorePatterns=${suite}`) : [];
  // The patterns first: Jest's list options (--testPathIgnorePatterns) take every argument after them.
  const jest = [
    'npx',
    'jest',
    ...patterns,
    '--selectProjects=scenarios',
    '--json',
    `--outputFile=${output}`,
    ...ignore,
  ];
  const socket = dockerHostOf(name);
  const netns = /** @type {Record<string, import('./lib/engine').ExtraEngine>} */ (EXTRA_ENGINES)[name]?.netns;
  const command = socket ? ['nsenter', `--net=/run/netns/${netns}`, ...jest] : jest;
  const env = {
    ...process.env,
    FAVORITES_ENGINE: name,
    FAVORITES_TEST_WORKERS: process.env.FAVORITES_TEST_WORKERS ?? '2',
    ...(socket ? { DOCKER_HOST: `unix://${socket}` } : {}),
  };
  const logFile = join(tmpdir(), `engines-${name}.log`);
  log(`${name}: Jest's output goes to ${logFile}`);
  const out = openSync(logFile, 'w');
  await new Promise((done) =>
    spawn(command[0], command.slice(1), { cwd: ROOT, env, stdio: ['ignore', out, out] }).on('close', done),
  );
  /** @type {Results} */
  const results = new Map();
  try {
    const report = JSON.parse(readFileSync(output, 'utf8'));
    for (const suite of report.testResults) {
      const failed = suite.assertionResults.find((/** @type {{ status: string }} */ test) => test.status === 'failed');
      const message = failed?.failureMessages?.[0] ?? (suite.status === 'failed' ? suite.message : undefined);
      results.set(suite.name.replace(`${ROOT}/test/scenarios/`, ''), {
        passed: suite.status === 'passed',
        failure: message && `${failed ? `${failed.title}: ` : ''}${failureLine(message)}`,
      });
    }
  } catch (error) {
    results.set('(run)', { passed: false, failure: `no report: ${/** @type {Error} */ (error).message}` });
  }
  rmSync(dir, { recursive: true, force: true });
  return results;
}

// Compose's progress lines ("Network x  Creating", "Container y  Started"), which come before its error.
const COMPOSE_PROGRESS = /^\s*(Container|Network|Volume) \S+\s+(Creat|Start|Wait|Heal|Exit|Run|Recreat|Stop|Remov)/;

/**
 * A failure in one line for a table cell: the engine's own error (compose's progress left out), or
 * an assertion with what it expected and what it got.
 */
function failureLine(/** @type {string} */ message) {
  // eslint-disable-next-line no-control-regex
  const lines = message.replace(/\u001b\[[0-9;]*m/g, '').split('\n');
  const kept = lines
    .map((line) => line.replace(/failed:\s+(Container|Network|Volume) \S+\s+\w+$/, 'failed:'))
    .filter((line) => line.trim() && !COMPOSE_PROGRESS.test(line) && !/^\s*(at |\d+ \||>|\|)/.test(line));
  let line = (kept[0] ?? '').trim();
  if (line.endsWith('failed:') && kept[1]) line = `${line} ${kept[1].trim()}`;
  if (line.startsWith('expect(')) {
    const found = (/** @type {string} */ label) => kept.find((text) => text.trim().startsWith(label))?.trim();
    line = [found('Expected'), found('Received')].filter(Boolean).join(', ') || line;
  }
  return line.replace(/\|/g, '\\|').slice(0, 200);
}

/**
 * The table, in Markdown: one row a suite, one column an engine.
 * @param {Map<string, Results>} byEngine
 * @param {Map<string, string>} versions
 */
function table(byEngine, versions) {
  const engines = [...byEngine.keys()];
  const suites = [...new Set([...byEngine.values()].flatMap((results) => [...results.keys()]))].sort();
  const rows = suites.map((suite) => {
    const cells = engines.map((engine) => {
      const result = byEngine.get(engine)?.get(suite);
      if (!result) return 'not run';
      return result.passed ? 'pass' : `differs: ${result.failure ?? 'failed'}`;
    });
    return `| ${suite} | ${cells.join(' | ')} |`;
  });
  const header = `| suite | ${engines.map((engine) => `${engine} (${versions.get(engine)})`).join(' | ')} |`;
  return [header, `| --- | ${engines.map(() => '---').join(' | ')} |`, ...rows].join('\n');
}

/** @param {string} name */
function versionOf(name) {
  const env = { ...process.env, FAVORITES_ENGINE: name };
  const socket = dockerHostOf(name);
  const asked = spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], {
    encoding: 'utf8',
    env: socket ? { ...env, DOCKER_HOST: `unix://${socket}` } : env,
  });
  return asked.stdout.trim() || '?';
}

/** @param {string[]} patterns */
async function matrix(patterns) {
  ensureEngine(log);
  const images = imagesOnDefaultEngine();
  /** @type {Map<string, Results>} */
  const byEngine = new Map();
  /** @type {Map<string, string>} */
  const versions = new Map();
  /** @type {string[]} */
  const unavailable = [];
  /** @type {string[]} */
  const ready = [];
  for (const name of ['docker', ...Object.keys(EXTRA_ENGINES)]) {
    try {
      if (name !== 'docker') {
        ensureExtraEngine(name, log);
        copyImages(name, images);
      }
      versions.set(name, versionOf(name));
      ready.push(name);
    } catch (error) {
      unavailable.push(`${name}: ${/** @type {Error} */ (error).message}`);
    }
  }
  // The engines are independent of each other: their suites run side by side.
  log(`running the scenario suites on ${ready.map((name) => `${name} (${versions.get(name)})`).join(', ')}`);
  const results = await Promise.all(ready.map((name) => runSuites(name, patterns)));
  ready.forEach((name, index) => byEngine.set(name, results[index]));
  if (!process.argv.includes('--keep')) Object.keys(EXTRA_ENGINES).forEach(stopExtraEngine);
  process.stdout.write(`\n${table(byEngine, versions)}\n`);
  for (const line of unavailable) process.stdout.write(`not available: ${line}\n`);
  const differs = [...byEngine.values()].some((results) => [...results.values()].some((result) => !result.passed));
  process.exitCode = differs ? 1 : 0;
}

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  if (command === 'run') {
    const [name, separator, ...commandLine] = rest;
    if (!name || separator !== '--' || commandLine.length === 0)
      throw new Error('usage: node scripts/engines.js run <engine> -- <command>');
    if (name !== 'docker') {
      ensureExtraEngine(name, log);
      copyImages(name, imagesOnDefaultEngine());
    }
    process.exitCode = runOn(name, commandLine);
  } else if (command === 'stop') {
    (rest.length > 0 ? rest : Object.keys(EXTRA_ENGINES)).forEach(stopExtraEngine);
  } else if (command === 'matrix') {
    await matrix(rest.filter((arg) => !arg.startsWith('--')));
  } else {
    throw new Error(
      'usage: node scripts/engines.js matrix [<suite patterns>] [--keep] | run <engine> -- <command> | stop [<engine>...]',
    );
  }
}

main().catch((error) => {
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 1;
});
