// Makes a machine ready to run the project's containers: a Docker engine with compose, and the
// images compose/.env pins (official ones where a registry answers, local stand-ins where none does);
// and, for the browser tests, a Chromium from the machine's own packages.
// Plain CommonJS with no dependencies: scripts/stack.js runs it before any `npm install`, and the
// tests' global setup imports it.
'use strict';

const { spawnSync } = require('node:child_process');
const { existsSync, readFileSync } = require('node:fs');
const { join, resolve } = require('node:path');

const ROOT = resolve(__dirname, '../..');
const COMPOSE_DIR = join(ROOT, 'compose');
const PINS_FILE = join(COMPOSE_DIR, '.env');
const OFFLINE_ENV_FILE = join(COMPOSE_DIR, 'offline.env');

const NO_ENGINE_HELP = [
  'No Docker engine answers. Get one, then run this again:',
  '  - Debian 12 or 13, as root: bash scripts/docker-setup.sh (installs and starts the engine)',
  '  - macOS or Windows: install and start Docker Desktop',
  '  - elsewhere: install Docker Engine with the compose plugin, and start it',
].join('\n');

/** Reads a compose-style env file: KEY=VALUE lines, `#` comments, values optionally quoted. */
function readEnvFile(path) {
  if (!existsSync(path)) return {};
  const entries = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!match) continue;
    let value = match[2].trim();
    if (value.length >= 2 && value[0] === "'" && value.endsWith("'")) value = value.slice(1, -1);
    else if (value.length >= 2 && value[0] === '"' && value.endsWith('"')) value = value.slice(1, -1).replace(/\\(["\\])/g, '$1');
    entries[match[1]] = value;
  }
  return entries;
}

const IMAGE_VARIABLES = ['FAVORITES_NODE_IMAGE', 'FAVORITES_MONGO_IMAGE', 'FAVORITES_MONGO_HEALTHCHECK', 'FAVORITES_DEBIAN_IMAGE'];

/**
 * The images to run: the pins in compose/.env, where the environment overrides them as it does
 * for compose (FAVORITES_MONGO_IMAGE=mongo:8.0 npm test runs the tests on mongo 8).
 */
function pins() {
  const fromFile = readEnvFile(PINS_FILE);
  return Object.fromEntries(IMAGE_VARIABLES.map((name) => [name, process.env[name] ?? fromFile[name]]));
}

/** Runs the docker CLI; never throws. */
function docker(args, options = {}) {
  const result = spawnSync('docker', args, { encoding: 'utf8', ...options });
  return { ok: result.status === 0, stdout: (result.stdout ?? '').trim(), stderr: (result.stderr ?? '').trim(), error: result.error };
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;
const isDebian = () => existsSync('/etc/debian_version');

function runScript(script) {
  const result = spawnSync('bash', [join(ROOT, 'scripts', script)], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`scripts/${script} failed (exit ${result.status ?? result.signal}); see its output above`);
}

/**
 * Makes sure a Docker engine with compose v2 answers. Installs and starts one only as root on
 * Debian, and says so; anywhere else it stops at once with how to get one.
 * Returns the engine's and compose's versions.
 */
function ensureEngine(log = console.log) {
  const info = docker(['info']);
  if (!info.ok) {
    if (/permission denied/i.test(info.stderr)) {
      throw new Error(`Docker answers, but not to you: ${info.stderr.split('\n').pop()}\nAdd yourself to the docker group (sudo usermod -aG docker "$USER", then log in again), or run as root.`);
    }
    if (!(isRoot() && isDebian())) throw new Error(`${info.error ? 'There is no docker command. ' : ''}${NO_ENGINE_HELP}`);
    log('No Docker engine answers. Root on Debian: scripts/docker-setup.sh installs one if needed and starts it.');
    runScript('docker-setup.sh');
  }
  const compose = docker(['compose', 'version', '--short']);
  if (!compose.ok) throw new Error('Docker answers, but has no compose v2 plugin (`docker compose`). Install it: Docker Desktop has it; on Debian, bash scripts/docker-setup.sh.');
  return { engine: docker(['version', '--format', '{{.Server.Version}}']).stdout, compose: compose.stdout };
}

/** True when the image is here, or can be pulled now. */
function available(image, log) {
  if (docker(['image', 'inspect', image]).ok) return true;
  log(`pulling ${image}`);
  const pulled = docker(['pull', '--quiet', image]);
  if (!pulled.ok) log(`  cannot pull ${image}: ${pulled.stderr.split('\n').pop()}`);
  return pulled.ok;
}

/**
 * Makes sure the images compose/.env pins can be run: the official ones when they are here or can
 * be pulled, and otherwise the offline stand-ins, which scripts/offline-images.sh builds (it skips
 * what is already built). Returns the environment that points compose and the tests at the images
 * in use, with `offline` telling which set it is.
 */
function ensureImages(log = console.log) {
  const wanted = pins();
  if ([wanted.FAVORITES_NODE_IMAGE, wanted.FAVORITES_MONGO_IMAGE].every((image) => available(image, log))) {
    return { offline: false, env: wanted };
  }
  log('No image registry answers: using local stand-ins built by scripts/offline-images.sh (a few minutes the first time, seconds after).');
  runScript('offline-images.sh');
  return { offline: true, env: readEnvFile(OFFLINE_ENV_FILE) };
}

/**
 * Removes the untagged images that rebuilding the project's own images leaves behind. Compose
 * labels each build with its project, so every scenario's `up --build` makes a new image under the
 * same tag, and the one before loses its name.
 */
function pruneReplacedImages() {
  docker(['image', 'prune', '--force', '--filter', 'label=swfavorites.component']);
}

/**
 * Builds compose/stack.yml's load balancer (HAProxy from Debian's packages, on FAVORITES_DEBIAN_IMAGE)
 * with compose's `build:` section, which `docker stack deploy` ignores. apt installs from the archive
 * this machine's apt uses, where there is one (scripts/lib/apt.sh), else from the base image's own.
 * `env` holds the images in use (ensureImages). Quick when nothing changed: Docker's build cache.
 */
function buildBalancerImage(env = {}) {
  const mirror = spawnSync('bash', ['-c', '. scripts/lib/apt.sh && debian_mirror'], { cwd: ROOT, encoding: 'utf8' });
  const built = docker(['compose', '-f', 'swarm.yml', 'build', '--quiet', 'balancer'], {
    cwd: COMPOSE_DIR,
    env: { ...process.env, ...env, DEBIAN_MIRROR: mirror.status === 0 ? mirror.stdout.trim() : '' },
  });
  if (!built.ok) throw new Error(`building the balancer image failed: ${built.stderr.split('\n').slice(-10).join('\n')}`);
}

/**
 * The address the engine gives `host-gateway`: the default bridge's gateway on a Linux engine
 * (usually 172.17.0.1). Asked of the engine itself, in a throwaway container of `image`, so that
 * nothing on the host is needed but Docker.
 */
function hostGatewayAddress(image) {
  const answer = docker(['run', '--rm', '--add-host', 'gateway.probe:host-gateway', '--entrypoint', 'getent', image, 'hosts', 'gateway.probe']);
  const address = /^(\S+)\s/.exec(answer.stdout)?.[1];
  if (!answer.ok || !address) throw new Error(`cannot tell what host-gateway stands for: ${answer.stderr || answer.stdout}`);
  return address;
}

// Where distributions and Google's packages put the browser; CHROMIUM_PATH comes before all of them.
const CHROMIUM_LOCATIONS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

const NO_CHROMIUM_HELP = [
  'The browser tests need Chromium, and there is none here. Get one, then run this again:',
  '  - Debian: apt-get install chromium (as root; the tests do it themselves when run as root)',
  '  - elsewhere: install Chromium or Chrome, and set CHROMIUM_PATH to its executable',
].join('\n');

/** Runs apt-get quietly, without questions; never throws. */
function aptGet(args) {
  const result = spawnSync('apt-get', ['-qq', ...args], { encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
  return { ok: result.status === 0, lastLines: output.split('\n').slice(-5).join('\n') };
}

/** Whether apt's package lists offer a chromium package at all; before any `apt-get update` they may be empty. */
function aptKnowsChromium() {
  const policy = spawnSync('apt-cache', ['policy', 'chromium'], { encoding: 'utf8' });
  const candidate = /Candidate:\s*(\S+)/.exec(policy.stdout ?? '')?.[1];
  return candidate !== undefined && candidate !== '(none)';
}

/**
 * Installs Debian's chromium package. The package lists are refreshed only when they don't offer
 * chromium, or when the install fails with them (lists older than the archive name files it no longer has).
 */
function installChromium(log) {
  const started = Date.now();
  const install = ['install', '-y', '--no-install-recommends', 'chromium'];
  let updated = false;
  const update = () => {
    log('apt-get update');
    const result = aptGet(['update']);
    if (!result.ok) throw new Error(`apt-get update failed:\n${result.lastLines}\n${NO_CHROMIUM_HELP}`);
    updated = true;
  };
  if (!aptKnowsChromium()) update();
  log(`apt-get ${install.join(' ')}`);
  let result = aptGet(install);
  if (!result.ok && !updated) {
    update();
    log(`apt-get ${install.join(' ')} (again, with fresh package lists)`);
    result = aptGet(install);
  }
  if (!result.ok) throw new Error(`apt-get install chromium failed:\n${result.lastLines}\n${NO_CHROMIUM_HELP}`);
  log(`installed chromium in ${Math.round((Date.now() - started) / 1000)} s`);
}

const findChromium = () => CHROMIUM_LOCATIONS.find((path) => existsSync(path));

/**
 * The path of a Chromium for the browser tests: CHROMIUM_PATH when set, else one already installed.
 * Where there is none, installs Debian's package only as root on Debian, and says so; anywhere else
 * it stops with how to get one. It never downloads a browser build of its own.
 */
function ensureChromium(log = console.log) {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) {
    if (!existsSync(configured)) throw new Error(`CHROMIUM_PATH is ${configured}, and there is no such file.\n${NO_CHROMIUM_HELP}`);
    return configured;
  }
  const found = findChromium();
  if (found) return found;
  if (!(isRoot() && isDebian())) throw new Error(NO_CHROMIUM_HELP);
  log("No Chromium here. Root on Debian: installing Debian's chromium package.");
  installChromium(log);
  const installed = findChromium();
  if (!installed) throw new Error(`apt-get installed chromium, but none of ${CHROMIUM_LOCATIONS.join(', ')} exists.`);
  return installed;
}

module.exports = { ROOT, COMPOSE_DIR, IMAGE_VARIABLES, readEnvFile, pins, docker, ensureEngine, ensureImages, ensureChromium, hostGatewayAddress, pruneReplacedImages, buildBalancerImage };
