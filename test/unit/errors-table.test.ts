import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SCENARIOS } from '../../scripts/lib/scenarios';
import { STACK_HINT_CODES } from '../../scripts/lib/stack-hints';

// docs/errors.md, "Paste your error": every row of its table names a break that shows the error
// (`<scenario> --break <name>`, a break of that scenario's module) and a hint code that exists (one
// of diagnosis.ts' FailureCode names, which /readyz and the one-shots give, or one of the codes
// stack.js gives when `up` fails). Rows are checked one by one, whatever they are about. No Docker.
const ROOT = resolve(__dirname, '../..');
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

/** The string literals of diagnosis.ts' FailureCode union: the codes its hints are given under. */
function failureCodes(): string[] {
  const union = /export type FailureCode =([^;]*);/.exec(read('services/favorites/src/db/diagnosis.ts'))?.[1] ?? '';
  return [...union.matchAll(/'([A-Z0-9_]+)'/g)].map(([, code]) => code);
}
const HINT_CODES = new Set([...failureCodes(), ...STACK_HINT_CODES]);

/** The page's table, a row an object keyed by the header's cells (lower case). */
function tableRows(markdown: string): Record<string, string>[] {
  const lines = markdown.split('\n').filter((line) => line.startsWith('|'));
  const cells = (line: string) =>
    line
      .slice(1, -1)
      .split(/(?<!\\)\|/)
      .map((cell) => cell.trim());
  const [header, , ...rows] = lines;
  const keys = cells(header).map((key) => key.toLowerCase());
  return rows.map((row) => Object.fromEntries(cells(row).map((cell, i) => [keys[i], cell])));
}

const PAGE = read('docs/errors.md');
const ROWS = tableRows(PAGE);
const codeSpans = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map(([, code]) => code);
const breaksIn = (cell: string) =>
  [...cell.matchAll(/`([a-z0-9-]+) --break ([a-z0-9-]+)`/g)].map(([, scenario, failure]) => ({ scenario, failure }));

describe('docs/errors.md: the table of pasted errors', () => {
  it('has rows, under the columns each row is checked by, each keyed by a text of its own', () => {
    expect(ROWS.length).toBeGreaterThan(0);
    expect(Object.keys(ROWS[0])).toEqual(['you see', 'what it means', 'shown by', 'hint', 'fix']);
    const keys = ROWS.map((row) => row['you see']);
    expect(keys.filter((key) => codeSpans(key).length === 0)).toEqual([]);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it.each(ROWS.map((row) => [row['you see'], row]))(
    '%s: names an existing break of its scenario and an existing hint code, and says the cause and the fix',
    (_key, row) => {
      const breaks = breaksIn(row['shown by']);
      const missing = breaks.filter(
        ({ scenario, failure }) => !(scenario in SCENARIOS && Object.hasOwn(SCENARIOS[scenario].breaks, failure)),
      );
      const codes = codeSpans(row.hint);

      expect(breaks.length).toBeGreaterThan(0);
      expect(missing).toEqual([]);
      expect(codes.length).toBeGreaterThan(0);
      expect(codes.filter((code) => !HINT_CODES.has(code))).toEqual([]);
      expect(row['what it means']).not.toBe('');
      expect(row.fix).not.toBe('');
    },
  );

  it('knows the codes it checks against: those of diagnosis.ts and of stack.js', () => {
    expect([...HINT_CODES]).toEqual(expect.arrayContaining(['ECONNREFUSED', 'AUTH_FAILED', 'POOL_OVERLAP']));
  });

  it('is linked from the README and from the troubleshooting page', () => {
    expect(read('README.md')).toContain('(docs/errors.md)');
    expect(read('docs/troubleshooting.md')).toContain('(errors.md)');
  });
});
