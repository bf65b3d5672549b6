// Three projects: fast unit tests, API tests against a real MongoDB-compatible server in a
// container, and the Docker scenario suites that start the real compose files. The two Docker
// projects share a global setup (engine and images, once per run) and the leftover check.
const base = {
  testEnvironment: 'node',
  // tsconfig's isolatedModules makes ts-jest transpile only; `npm run typecheck` checks types.
  transform: { '^.+\\.ts$': 'ts-jest' },
};
const docker = { globalTeardown: '<rootDir>/test/support/global-teardown.ts' };

/** @type {import('jest').Config} */
module.exports = {
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
