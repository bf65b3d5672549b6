#!/usr/bin/env node
// CI's dependency report: `npm audit` against the registry's advisories. Where the registry refuses
// audits (a mirror may answer 405), an offline check over package-lock.json instead: no advisory
// data there, but every package pinned by a sha512 hash, none fetched from git, a URL or a path, and
// the packages that run install scripts named, so that a new one shows in the log.
// Advisories are reported, not fatal (a new advisory must not turn an unchanged branch red); a
// lockfile problem is fatal.
// @ts-check
'use strict';

const { spawnSync } = require('node:child_process');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const ROOT = join(__dirname, '..');

/**
 * What is wrong with a package-lock.json (version 2 or 3), one line each, and the packages that run
 * install scripts.
 * @param {{ packages?: Record<string, { version?: string, integrity?: string, resolved?: string, link?: boolean, hasInstallScript?: boolean }> }} lock
 */
function checkLockfile(lock) {
  /** @type {string[]} */
  const problems = [];
  /** @type {string[]} */
  const installScripts = [];
  for (const [path, entry] of Object.entries(lock.packages ?? {})) {
    if (path === '' || entry.link) continue; // the project itself, and its workspaces
    if (!/^sha512-/.test(entry.integrity ?? '')) problems.push(`${path}: no sha512 integrity`);
    if (entry.resolved !== undefined && !/^https:\/\//.test(entry.resolved)) {
      problems.push(`${path}: fetched from ${entry.resolved.split(/[:/]/)[0]}, not a registry`);
    }
    if (entry.hasInstallScript) installScripts.push(`${path.replace(/^.*node_modules\//, '')}@${entry.version}`);
  }
  if (lock.packages === undefined) problems.push('no "packages": lockfile version 1, run npm install once');
  return { problems, installScripts };
}

function main() {
  const audit = spawnSync('npm', ['audit', '--json'], { cwd: ROOT, encoding: 'utf8' });
  /** @type {any} */
  let report;
  try {
    report = JSON.parse(audit.stdout);
  } catch {
    report = undefined;
  }
  const counts = report?.metadata?.vulnerabilities;
  if (counts) {
    const found = Object.entries(counts).filter(([level, n]) => level !== 'total' && n > 0);
    console.log(
      `npm audit: ${counts.total} advisories${found.length ? ` (${found.map(([l, n]) => `${n} ${l}`).join(', ')}); npm audit shows them` : ''}`,
    );
  } else {
    const why = report?.statusCode ? `HTTP ${report.statusCode}` : (report?.error?.summary ?? 'no answer');
    console.log(`npm audit: the registry refused the audit (${why}); offline check of package-lock.json instead`);
  }

  const { problems, installScripts } = checkLockfile(JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')));
  console.log(`package-lock.json: packages with install scripts: ${installScripts.join(', ') || 'none'}`);
  for (const problem of problems) console.error(`package-lock.json: ${problem}`);
  return problems.length === 0 ? 0 : 1;
}

if (require.main === module) process.exitCode = main();

module.exports = { checkLockfile };
