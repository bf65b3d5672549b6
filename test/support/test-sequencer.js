// @ts-check
// The order Jest hands suites to its workers: Jest's own (failed last time first, then slowest
// first, or largest first without timings), inside these groups, in this order:
//   1. the engine-wide suites (an @engine-wide line in their first comment): they run alone
//      (test/support/engine-lock.ts), and at the start nothing has to finish first;
//   2. the unit suites, which need no Docker: the other workers' work meanwhile;
//   3. the scenario suites, whole stacks and the longest, so that none starts last;
//   4. the integration suites.
'use strict';

const { readFileSync } = require('node:fs');
const Sequencer = require('@jest/test-sequencer').default;

/** @param {string} path */
const engineWide = (path) => /^\s*\/\*\*[\s\S]*?@engine-wide\b[\s\S]*?\*\//.test(readFileSync(path, 'utf8'));

const PROJECTS = ['unit', 'scenarios', 'integration'];

class DockerAwareSequencer extends Sequencer {
  /** @param {import('@jest/test-result').Test[]} tests */
  async sort(tests) {
    /** @param {import('@jest/test-result').Test} test */
    const group = (test) => {
      if (engineWide(test.path)) return 0;
      const project = PROJECTS.indexOf(String(test.context.config.displayName?.name));
      return project === -1 ? PROJECTS.length + 1 : project + 1;
    };
    const ordered = await super.sort(tests);
    // Array.prototype.sort is stable: Jest's order holds inside each group.
    return [...ordered].sort((a, b) => group(a) - group(b));
  }
}

module.exports = DockerAwareSequencer;
