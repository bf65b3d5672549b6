// What the provisioning modules ask of the machine itself: who runs them, on which system, and the
// project's setup scripts. Plain CommonJS with no dependencies, like the modules that use it.
// @ts-check
'use strict';

const { spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const { join } = require('node:path');

/**
 * Where the provisioning says what it does, a line at a time (console.log unless told otherwise).
 * @typedef {(line: string) => void} Log
 */

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;
const isDebian = () => existsSync('/etc/debian_version');

/**
 * Runs scripts/<script> with bash, its output shown; throws if it fails.
 * @param {string} script
 */
function runScript(script) {
  const result = spawnSync('bash', [join(__dirname, '..', script)], { stdio: 'inherit' });
  if (result.status !== 0)
    throw new Error(`scripts/${script} failed (exit ${result.status ?? result.signal}); see its output above`);
}

module.exports = { isRoot, isDebian, runScript };
