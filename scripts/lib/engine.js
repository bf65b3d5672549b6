// Makes sure a Docker engine with compose answers, and runs the docker CLI for the scripts and the
// tests. Plain CommonJS with no dependencies: scripts/stack.js runs it before any `npm install`.
// @ts-check
'use strict';

const { spawnSync } = require('node:child_process');
const { resolve } = require('node:path');
const { isDebian, isRoot, runScript } = require('./host');

const ROOT = resolve(__dirname, '../..');

const NO_ENGINE_HELP = [
  'No Docker engine answers. Get one, then run this again:',
  '  - Debian 12 or 13, as root: bash scripts/docker-setup.sh (installs and starts the engine)',
  '  - macOS or Windows: install and start Docker Desktop',
  '  - elsewhere: install Docker Engine with the compose plugin, and start it',
].join('\n');

/** @typedef {{ ok: boolean, stdout: string, stderr: string, error?: Error }} DockerResult */

/**
 * Runs the docker CLI; never throws.
 * @param {string[]} args
 * @param {Omit<import('node:child_process').SpawnSyncOptionsWithStringEncoding, 'encoding'>} [options]
 * @returns {DockerResult}
 */
function docker(args, options = {}) {
  const result = spawnSync('docker', args, { encoding: 'utf8', ...options });
  return {
    ok: result.status === 0,
    stdout: (result.stdout ?? '').trim(),
    stderr: (result.stderr ?? '').trim(),
    error: result.error,
  };
}

/**
 * Makes sure a Docker engine with compose v2 answers. Installs and starts one only as root on
 * Debian, and says so; anywhere else it stops at once with how to get one.
 * Returns the engine's and compose's versions.
 * @param {import('./host').Log} [log]
 * @returns {{ engine: string, compose: string }}
 */
function ensureEngine(log = console.log) {
  const info = docker(['info']);
  if (!info.ok) {
    if (/permission denied/i.test(info.stderr)) {
      throw new Error(
        `Docker answers, but not to you: ${info.stderr.split('\n').pop()}\nAdd yourself to the docker group (sudo usermod -aG docker "$USER", then log in again), or run as root.`,
      );
    }
    if (!(isRoot() && isDebian()))
      throw new Error(`${info.error ? 'There is no docker command. ' : ''}${NO_ENGINE_HELP}`);
    log('No Docker engine answers. Root on Debian: scripts/docker-setup.sh installs one if needed and starts it.');
    runScript('docker-setup.sh');
  }
  const compose = docker(['compose', 'version', '--short']);
  if (!compose.ok)
    throw new Error(
      'Docker answers, but has no compose v2 plugin (`docker compose`). Install it: Docker Desktop has it; on Debian, bash scripts/docker-setup.sh.',
    );
  return { engine: docker(['version', '--format', '{{.Server.Version}}']).stdout, compose: compose.stdout };
}

/**
 * The address the engine gives `host-gateway`: the default bridge's gateway on a Linux engine
 * (usually 172.17.0.1). Asked of the engine itself, in a throwaway container of `image`, so that
 * nothing on the host is needed but Docker.
 * @param {string} image
 * @returns {string}
 */
function hostGatewayAddress(image) {
  const answer = docker([
    'run',
    '--rm',
    '--add-host',
    'gateway.probe:host-gateway',
    '--entrypoint',
    'getent',
    image,
    'hosts',
    'gateway.probe',
  ]);
  const address = /^(\S+)\s/.exec(answer.stdout)?.[1];
  if (!answer.ok || !address)
    throw new Error(`cannot tell what host-gateway stands for: ${answer.stderr || answer.stdout}`);
  return address;
}

module.exports = { ROOT, docker, ensureEngine, hostGatewayAddress };
