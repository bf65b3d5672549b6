import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/**
 * services/favorites/openapi.yaml: the API's contract, written by hand and checked by the tests.
 * The same relative path works from src/docs (ts-jest) and dist/docs (the image), so one file serves both.
 */
export const OPENAPI_PATH = join(__dirname, '..', '..', 'openapi.yaml');

let cached: Record<string, unknown> | undefined;

/** The parsed document; read once, since it never changes while the API runs. */
export function openapiDocument(): Record<string, unknown> {
  cached ??= parse(readFileSync(OPENAPI_PATH, 'utf8')) as Record<string, unknown>;
  return cached;
}
