// The images compose/.env pins: official ones where a registry answers, local stand-ins where none
// does; and the images the project builds itself. Plain CommonJS with no dependencies:
// scripts/stack.js runs it before any `npm install`, and the tests' global setup imports it.
// @ts-check
'use strict';

const { spawnSync } = require('node:child_process');
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');
const { docker, engineName, ROOT } = require('./engine');
const { runScript } = require('./host');

const COMPOSE_DIR = join(ROOT, 'compose');
const PINS_FILE = join(COMPOSE_DIR, '.env');
const OFFLINE_ENV_FILE = join(COMPOSE_DIR, 'offline.env');

/**
 * Variables by name, as an env file or the environment holds them.
 * @typedef {Record<string, string | undefined>} EnvVariables
 */

/**
 * Reads a compose-style env file: KEY=VALUE lines, `#` comments, values optionally quoted.
 * @param {string} path
 * @returns {Record<string, string>}
 */
function readEnvFile(path) {
  if (!existsSync(path)) return {};
  /** @type {Record<string, string>} */
  const entries = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!match) continue;
    let value = match[2].trim();
    if (value.length >= 2 && value[0] === "'" && value.endsWith("'")) value = value.slice(1, -1);
    else if (value.length >= 2 && value[0] === '"' && value.endsWith('"'))
      value = value.slice(1, -1).replace(/\\(["\\])/g, '$1');
    entries[match[1]] = value;
  }
  return entries;
}

const IMAGE_VARIABLES = [
  'FAVORITES_NODE_IMAGE',
  'FAVORITES_MONGO_IMAGE',
  'FAVORITES_MONGO_HEALTHCHECK',
  'FAVORITES_DEBIAN_IMAGE',
];

/**
 * The images to run: the pins in compose/.env, where the environment overrides them as it does
 * for compose (FAVORITES_MONGO_IMAGE=mongo:8.0 npm test runs the tests on mongo 8).
 * @returns {EnvVariables}
 */
function pins() {
  const fromFile = readEnvFile(PINS_FILE);
  return Object.fromEntries(IMAGE_VARIABLES.map((name) => [name, process.env[name] ?? fromFile[name]]));
}

/**
 * True when the image is here, or can be pulled now.
 * @param {string | undefined} image
 * @param {import('./host').Log} log
 */
function available(image, log) {
  if (!image) return false;
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
 * @param {import('./host').Log} [log]
 * @returns {{ offline: boolean, env: EnvVariables }}
 */
function ensureImages(log = console.log) {
  const wanted = pins();
  if ([wanted.FAVORITES_NODE_IMAGE, wanted.FAVORITES_MONGO_IMAGE].every((image) => available(image, log))) {
    return { offline: false, env: wanted };
  }
  log(
    'No image registry answers: using local stand-ins built by scripts/offline-images.sh (a few minutes the first time, seconds after).',
  );
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
 * Builds compose/swarm.yml's load balancer (HAProxy from Debian's packages, on FAVORITES_DEBIAN_IMAGE)
 * with compose's `build:` section, which `docker stack deploy` ignores. apt installs from the archive
 * this machine's apt uses, where there is one (scripts/lib/apt.sh), else from the base image's own.
 * `env` holds the images in use (ensureImages). Quick when nothing changed: Docker's build cache.
 * @param {EnvVariables} [env]
 */
function buildBalancerImage(env = {}) {
  if (!buildsImages()) return;
  const built = docker(['compose', '-f', 'swarm.yml', 'build', '--quiet', 'balancer'], {
    cwd: COMPOSE_DIR,
    env: { ...process.env, ...env, DEBIAN_MIRROR: debianMirror() },
  });
  if (!built.ok)
    throw new Error(`building the balancer image failed: ${built.stderr.split('\n').slice(-10).join('\n')}`);
}

/**
 * False on an extra engine of the matrix (FAVORITES_ENGINE, docs/engines.md): its namespace reaches
 * no archive, and scripts/engines.js copies the project's images to it from the default engine.
 */
const buildsImages = () => engineName() === 'docker';

/** The Debian archive this machine's apt uses (scripts/lib/apt.sh), or '' for the base image's own. */
function debianMirror() {
  const mirror = spawnSync('bash', ['-c', '. scripts/lib/apt.sh && debian_mirror'], { cwd: ROOT, encoding: 'utf8' });
  return mirror.status === 0 ? mirror.stdout.trim() : '';
}

/**
 * The debugging toolbox's tag: FAVORITES_TOOLBOX_IMAGE, else the local build's.
 * @param {EnvVariables} [env]
 */
const toolboxImage = (env = {}) =>
  env.FAVORITES_TOOLBOX_IMAGE ?? process.env.FAVORITES_TOOLBOX_IMAGE ?? 'swfavorites/toolbox:local';

/**
 * Builds the debugging toolbox of `stack.js debug` (scripts/images/toolbox: network tools from
 * Debian's packages on FAVORITES_DEBIAN_IMAGE), as buildBalancerImage builds the balancer.
 * `env` holds the images in use (ensureImages). Quick when nothing changed: Docker's build cache.
 * @param {EnvVariables} [env]
 */
function buildToolboxImage(env = {}) {
  if (!buildsImages()) return;
  const base = env.FAVORITES_DEBIAN_IMAGE ?? pins().FAVORITES_DEBIAN_IMAGE;
  if (!base) throw new Error('FAVORITES_DEBIAN_IMAGE is not set: compose/.env pins it');
  const built = docker([
    'build',
    '--quiet',
    '--build-arg',
    `DEBIAN_IMAGE=${base}`,
    '--build-arg',
    `DEBIAN_MIRROR=${debianMirror()}`,
    '--tag',
    toolboxImage(env),
    join(ROOT, 'scripts/images/toolbox'),
  ]);
  if (!built.ok)
    throw new Error(`building the toolbox image failed: ${built.stderr.split('\n').slice(-10).join('\n')}`);
}

module.exports = {
  COMPOSE_DIR,
  buildsImages,
  IMAGE_VARIABLES,
  readEnvFile,
  pins,
  ensureImages,
  pruneReplacedImages,
  buildBalancerImage,
  toolboxImage,
  buildToolboxImage,
};
