import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

// The lower folders of src and what each may import from src: nothing reaches back up to the
// features (favorites, swapi, health, docs), setup or app.ts. What a lower layer needs from a higher
// one is handed to it when app.ts wires the app (as the database's error translator is).
const MAY_IMPORT: Record<string, readonly string[]> = {
  shared: ['shared'],
  http: ['http', 'shared'],
  db: ['db', 'shared'],
};

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The relative modules a file imports, re-exports or requires, type-only ones included. */
function relativeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = text.matchAll(/(?:\bfrom|\bimport|\brequire\s*\()\s*\(?\s*['"]([^'"]+)['"]/g);
  return [...specifiers].map((match) => match[1]).filter((specifier) => specifier.startsWith('.'));
}

/** The top folder of src a module lies in ("app" for src/app.ts). */
const topFolder = (path: string) => relative(__dirname, path).split(sep)[0].replace(/\.ts$/, '');

describe('layers of src', () => {
  it.each(Object.entries(MAY_IMPORT))('%s/ imports nothing of src but %j', (folder, allowed) => {
    const files = sourceFiles(join(__dirname, folder));
    expect(files.length).toBeGreaterThan(0);

    const upward = files.flatMap((file) =>
      relativeImports(file)
        .filter((specifier) => !allowed.includes(topFolder(resolve(dirname(file), specifier))))
        .map((specifier) => `${relative(__dirname, file)} imports ${specifier}`),
    );

    expect(upward).toEqual([]);
  });

  it('finds every kind of import, so the check above cannot pass by reading none', () => {
    expect(relativeImports(join(__dirname, 'app.ts'))).toEqual(
      expect.arrayContaining(['./db/connection', './http/error-handler', './shared/logger']),
    );
    expect(relativeImports(join(__dirname, 'http', 'error-handler.ts'))).toEqual([
      '../shared/errors',
      '../shared/logger',
      './request-id',
    ]);
  });
});
