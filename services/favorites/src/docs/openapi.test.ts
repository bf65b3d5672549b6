import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { z } from 'zod';
import { listFavoritesQuerySchema, newFavoriteSchema } from '../favorites/schema';
import { OPENAPI_PATH, openapiDocument } from './openapi-document';

const ROOT = join(__dirname, '..', '..', '..', '..');
const SRC = join(__dirname, '..');

describe('openapi.yaml', () => {
  it("passes Redocly's recommended lint rules, examples checked against their schemas", () => {
    // A child process: @redocly/openapi-core is an ES module, which Jest's CommonJS runtime can't load.
    const output = execFileSync(process.execPath, [join(ROOT, 'scripts', 'lint-openapi.mjs')], { encoding: 'utf8' });

    expect(output.trim()).toBe(`0 problem(s) in ${OPENAPI_PATH}`);
  });

  it("describes a new favorite exactly as the API's zod schema does", () => {
    const { $defs } = z.toJSONSchema(newFavoriteSchema, { io: 'output', target: 'draft-2020-12' }) as {
      $defs: Record<string, unknown>;
    };
    const { components } = openapiDocument() as { components: { schemas: Record<string, unknown> } };

    expect(components.schemas.NewFavorite).toEqual($defs.NewFavorite);
  });

  it("describes GET /favorites' query parameters exactly as the API's zod schema does", () => {
    // The values' rules are the schema's output (limit a number, with its default); which ones a
    // client may leave out is its input.
    const defOf = (io: 'input' | 'output') =>
      (
        z.toJSONSchema(listFavoritesQuerySchema, { io, target: 'draft-2020-12' }) as {
          $defs: Record<string, { properties: Record<string, unknown>; required?: string[] }>;
        }
      ).$defs.ListFavoritesQuery;
    const { properties } = defOf('output');
    const required = defOf('input').required ?? [];
    const doc = openapiDocument() as {
      paths: Record<string, { get: { parameters: { $ref: string }[] } }>;
      components: { parameters: Record<string, { name: string; in: string; required: boolean; schema: unknown }> };
    };
    const parameters = doc.paths['/favorites'].get.parameters
      .map(({ $ref }) => doc.components.parameters[$ref.replace('#/components/parameters/', '')])
      .filter((parameter) => parameter.in === 'query');

    expect(parameters.map(({ name }) => name).sort()).toEqual(Object.keys(properties).sort());
    for (const { name, required: isRequired, schema } of parameters) {
      expect({ name, required: isRequired, schema }).toEqual({
        name,
        required: required.includes(name),
        schema: properties[name],
      });
    }
  });

  it('names every error code the API can send', () => {
    const sources = readdirSync(SRC, { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
      .map((file) => ({ file, text: readFileSync(join(SRC, file), 'utf8') }));
    // Codes appear as `new AppError(<status>, 'CODE', ...)` or `code: 'CODE'` (body-parser's errors).
    const sent = sources.flatMap(({ file, text }) =>
      [...text.matchAll(/AppError\([^,()]+,\s*'([A-Z_]+)'|\bcode: '([A-Z_]+)'/g)].map((m) => ({
        code: m[1] ?? m[2],
        file: relative(SRC, join(SRC, file)),
      })),
    );
    const documented = readFileSync(OPENAPI_PATH, 'utf8');

    expect(sent.length).toBeGreaterThan(10);
    // INTERNAL_ERROR is the one code the API promises never to send: a 500 is a bug.
    expect(
      sent.filter(({ code }) => code !== 'INTERNAL_ERROR' && !new RegExp(`\\b${code}\\b`).test(documented)),
    ).toEqual([]);
  });
});
