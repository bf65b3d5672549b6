// Three projects: fast unit tests, API tests against a real MongoDB-compatible server, and the
// Docker scenario suites that start the real compose files.
const base = {
  testEnvironment: 'node',
  // tsconfig's isolatedModules makes ts-jest transpile only; `npm run typecheck` checks types.
  transform: { '^.+\\.ts$': 'ts-jest' },
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/services/*/src/**/*.test.ts'] },
    { ...base, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.test.ts'] },
    {
      ...base,
      displayName: 'scenarios',
      testMatch: ['<rootDir>/test/compose/**/*.e2e.test.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/compose/setup.ts'],
      globalSetup: '<rootDir>/test/compose/global-setup.ts',
      globalTeardown: '<rootDir>/test/compose/global-teardown.ts',
    },
  ],
};
