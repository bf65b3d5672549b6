// Three projects: fast unit tests, API tests against a real MongoDB-compatible server, and the
// Docker scenario suites that start the real compose files.
const base = {
  testEnvironment: 'node',
  // Type errors are caught by `npm run typecheck`; tests only need the code transpiled.
  transform: { '^.+\\.ts$': 'ts-jest' },
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/services/*/src/**/*.test.ts'] },
    { ...base, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.test.ts'] },
  ],
};
