// One lint config for the whole tree: TypeScript (services, tests) and the CommonJS scripts.
// Formatting is Prettier's job, so eslint-config-prettier turns off the rules that would fight it.
const js = require('@eslint/js');
const { defineConfig } = require('eslint/config');
const prettier = require('eslint-config-prettier');
const globals = require('globals');
const tseslint = require('typescript-eslint');

module.exports = defineConfig(
  { ignores: ['**/node_modules/', '**/dist/', 'coverage/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  { languageOptions: { globals: globals.node } },
  {
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    // Plain CommonJS scripts run with no build step.
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  { files: ['test/**/*.ts', '**/*.test.ts'], languageOptions: { globals: globals.jest } },
  prettier,
);
