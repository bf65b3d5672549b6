// Lints services/favorites/openapi.yaml with Redocly's recommended rules (structure, references,
// examples against their schemas, operation ids...). Prints each problem; exits 1 if there is any.
//   npm run lint:openapi
// @ts-check
import { fileURLToPath } from 'node:url';
import { createConfig, lint } from '@redocly/openapi-core';

const ref = fileURLToPath(new URL('../services/favorites/openapi.yaml', import.meta.url));
const config = await createConfig({
  extends: ['recommended'],
  // GET /favorites, /healthz, /readyz and the docs have no client error to answer: a 4xx there would be invented.
  rules: { 'operation-4xx-response': 'off' },
});
const problems = await lint({ ref, config });
for (const { severity, ruleId, message, location } of problems) {
  console.log(`${severity} ${ruleId}: ${message} (${location.map((l) => l.pointer).join(', ')})`);
}
console.log(`${problems.length} problem(s) in ${ref}`);
process.exitCode = problems.length === 0 ? 0 : 1;
