// The browser for the tests of the docs page: a Chromium from the machine's own packages, never a
// browser build of its own. Plain CommonJS with no dependencies, for the tests' global setup.
// @ts-check
'use strict';

const { spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const { isDebian, isRoot } = require('./host');

// Where distributions and Google's packages put the browser; CHROMIUM_PATH comes before all of them.
const CHROMIUM_LOCATIONS = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
];

const NO_CHROMIUM_HELP = [
  'The browser tests need Chromium, and there is none here. Get one, then run this again:',
  '  - Debian: apt-get install chromium (as root; the tests do it themselves when run as root)',
  '  - elsewhere: install Chromium or Chrome, and set CHROMIUM_PATH to its executable',
].join('\n');

/**
 * Runs apt-get quietly, without questions; never throws.
 * @param {string[]} args
 * @returns {{ ok: boolean, lastLines: string }}
 */
function aptGet(args) {
  const result = spawnSync('apt-get', ['-qq', ...args], {
    encoding: 'utf8',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
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
 * @param {import('./host').Log} log
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
 * @param {import('./host').Log} [log]
 * @returns {string}
 */
function ensureChromium(log = console.log) {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) {
    if (!existsSync(configured))
      throw new Error(`CHROMIUM_PATH is ${configured}, and there is no such file.\n${NO_CHROMIUM_HELP}`);
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

module.exports = { ensureChromium };
