// Three projects: fast unit tests, API tests against a real MongoDB-compatible server in a
// container, and the Docker scenario suites that start the real compose files. The two Docker
// projects share a global setup (engine and images, once per run) and the leftover check.
const base = {
  testEnvironment: 'node',
  // tsconfig's isolatedModules makes ts-jest transpile only; `npm run typecheck` checks types.
  transform: { '^.+\\.ts$': 'ts-jest' },
};
const docker = {
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  // Holds the engine lock for the suite: shared, or alone for an @engine-wide suite.
  testEnvironment: '<rootDir>/test/support/docker-environment.ts',
};

/**
 * How many suites run at once. Most of a Docker suite's time is spent waiting on containers, not
 * on the CPU, so more suites than cores; docs/tests.md says how this figure was chosen.
 */
const DEFAULT_WORKERS = 4;

/** @type {import('jest').Config} */
module.exports = {
  maxWorkers: Number(process.env.FAVORITES_TEST_WORKERS || DEFAULT_WORKERS),
  testSequencer: '<rootDir>/test/support/test-sequencer.js',
  reporters: ['default', '<rootDir>/test/support/suite-times-reporter.js'],
  projects: [
    {
      ...base,
      displayName: 'unit',
      testMatch: ['<rootDir>/services/*/src/**/*.test.ts', '<rootDir>/test/unit/**/*.test.ts'],
    },
    {
      ...base,
      ...docker,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/integration/setup.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
    },
    {
      ...base,
      ...docker,
      displayName: 'scenarios',
      testMatch: ['<rootDir>/test/scenarios/**/*.test.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/scenarios/setup.ts'],
      globalSetup: '<rootDir>/test/scenarios/global-setup.ts',
    },
  ],
};
