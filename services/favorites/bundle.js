#!/usr/bin/env node
// npm run bundle: the image's entry points as one file each, production dependencies inlined, in
// dist/bundle/ (server.js, setup/database-user.js, setup/credentials.js, setup/tls-certificates.js: the paths compose runs).
// Node then reads and compiles one file instead of resolving and reading about a thousand, which is
// most of the API's start. What is left outside the bundle:
// - swagger-ui-dist: the docs page serves its files from its folder, so the image keeps that
//   package (the files the page loads, and its licence) in node_modules;
// - openapi.yaml: put in as JSON (OPENAPI_DOCUMENT_JSON, read by src/docs/openapi-document.ts),
//   so the bundle reads no file and needs no YAML parser.
// The bundled packages' licences go to dist/bundle/THIRD-PARTY-LICENSES.txt.
// @ts-check
'use strict';

const { existsSync, readdirSync, readFileSync, writeFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const esbuild = require('esbuild');
const { parse } = require('yaml');

const SERVICE = __dirname;
const OUT_DIR = join(SERVICE, 'dist', 'bundle');
const ENTRY_POINTS = ['server.ts', 'setup/database-user.ts', 'setup/credentials.ts', 'setup/tls-certificates.ts'].map(
  (entry) => join(SERVICE, 'src', entry),
);

/**
 * The licence text of each bundled package, found beside its package.json.
 * @param {string[]} inputs the bundle's input files, from esbuild's metafile
 */
function licences(inputs) {
  const packages = new Map();
  for (const input of inputs) {
    const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (match && !packages.has(match[1])) packages.set(match[1], undefined);
  }
  return [...packages.keys()]
    .sort()
    .map((folder) => {
      const { name, version, license } = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'));
      const file = readdirSync(folder).find((entry) => /^licen[cs]e/i.test(entry));
      const text = file ? readFileSync(join(folder, file), 'utf8').trim() : `(${license ?? 'no licence file'})`;
      return `${name}@${version}\n\n${text}\n`;
    })
    .join(`\n${'-'.repeat(72)}\n\n`);
}

async function main() {
  const openapi = parse(readFileSync(join(SERVICE, 'openapi.yaml'), 'utf8'));
  const result = await esbuild.build({
    entryPoints: ENTRY_POINTS,
    outbase: join(SERVICE, 'src'),
    outdir: OUT_DIR,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // yaml: only tsc's build reads openapi.yaml (see above).
    external: ['swagger-ui-dist', 'yaml'],
    define: { OPENAPI_DOCUMENT_JSON: JSON.stringify(JSON.stringify(openapi)) },
    // Less to parse at start; names kept, so stack traces in the logs still say where.
    minifyWhitespace: true,
    minifySyntax: true,
    keepNames: true,
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  });
  writeFileSync(
    join(OUT_DIR, 'THIRD-PARTY-LICENSES.txt'),
    licences(Object.keys(result.metafile.inputs).map((input) => join(process.cwd(), input))),
  );
  if (!existsSync(dirname(join(OUT_DIR, 'server.js')))) throw new Error('the bundle was not written');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
