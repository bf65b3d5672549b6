import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * services/favorites/openapi.yaml: the API's contract, written by hand and checked by the tests.
 * The same relative path works from src/docs (ts-jest) and dist/docs (tsc's build), so one file serves both.
 */
export const OPENAPI_PATH = join(__dirname, '..', '..', 'openapi.yaml');

// Defined only in the image's bundle (services/favorites/bundle.js): the document as JSON, so the
// bundle reads no file and carries no YAML parser.
declare const OPENAPI_DOCUMENT_JSON: string | undefined;

let cached: Record<string, unknown> | undefined;

/** The parsed document; read on first use (few requests need it), then kept: it never changes while the API runs. */
export function openapiDocument(): Record<string, unknown> {
  cached ??= typeof OPENAPI_DOCUMENT_JSON === 'string' ? JSON.parse(OPENAPI_DOCUMENT_JSON) : readYaml();
  return cached as Record<string, unknown>;
}

function readYaml(): Record<string, unknown> {
  // Loaded here, not at the top: the parser costs the start a quarter of a second otherwise.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { parse } = require('yaml') as typeof import('yaml');
  return parse(readFileSync(OPENAPI_PATH, 'utf8')) as Record<string, unknown>;
}
