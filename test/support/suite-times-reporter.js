// @ts-check
// A Jest reporter, next to the default one: at the end of a run, every suite's time, slowest
// first, and the run's wall time. Suites run side by side (jest.config.js), so the wall time is
// well under their sum; the table shows where it goes.
'use strict';

const { readFileSync } = require('node:fs');
const { join, relative } = require('node:path');

/**
 * How long each Docker suite waited for the engine lock before it started (test/support/engine-lock.ts
 * writes waits.jsonl), by test path: Jest counts that wait in the suite's time.
 * @returns {Map<string, number>}
 */
function lockWaits() {
  const dir = process.env.FAVORITES_ENGINE_LOCK;
  /** @type {Map<string, number>} */
  const waits = new Map();
  if (!dir) return waits;
  let lines;
  try {
    lines = readFileSync(join(dir, 'waits.jsonl'), 'utf8');
  } catch {
    return waits; // no Docker suite ran
  }
  for (const line of lines.split('\n').filter(Boolean)) {
    const { testPath, waitedMs } = JSON.parse(line);
    waits.set(testPath, waitedMs);
  }
  return waits;
}

class SuiteTimesReporter {
  /** @param {import('@jest/types').Config.GlobalConfig} globalConfig */
  constructor(globalConfig) {
    this.rootDir = globalConfig.rootDir;
  }

  /**
   * @param {Set<unknown>} _contexts
   * @param {import('@jest/test-result').AggregatedResult} results
   */
  onRunComplete(_contexts, results) {
    const waits = lockWaits();
    const suites = results.testResults
      .map((suite) => {
        const waited = (waits.get(suite.testFilePath) ?? 0) / 1000;
        return {
          seconds: (suite.perfStats.end - suite.perfStats.start) / 1000 - waited,
          waited,
          path: relative(this.rootDir, suite.testFilePath),
          failed: suite.numFailingTests > 0 || suite.testExecError !== undefined,
        };
      })
      .sort((a, b) => b.seconds - a.seconds);
    if (suites.length === 0) return;
    const sum = suites.reduce((total, suite) => total + suite.seconds, 0);
    const lines = suites.map(
      (suite) =>
        `${suite.seconds.toFixed(1).padStart(7)} s  ${suite.path}` +
        `${suite.waited >= 1 ? `  (after ${suite.waited.toFixed(1)} s waiting for the engine lock)` : ''}` +
        `${suite.failed ? '  FAILED' : ''}`,
    );
    process.stderr.write(
      `\nSuite times, slowest first:\n${lines.join('\n')}\n` +
        `${sum.toFixed(1).padStart(7)} s  the suites' sum\n` +
        // The jest process's own age: the global setup (engine, images) included.
        `${process.uptime().toFixed(1).padStart(7)} s  wall time of this run\n`,
    );
  }
}

module.exports = SuiteTimesReporter;
