import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

// Keeps `npm run bench` working: one short run, every table there, every cell a number. Timings
// depend on the machine and never fail a test.
const ROOT = resolve(__dirname, '../..');
// One start each, and none of the image: building it is not this test's to wait for.
const SHORT_RUN = [
  ...['--duration', '1', '--connections', '2', '--sizes', '10', '--rounds', '1', '--warmup', '0'],
  ...['--starts', '1', '--image-starts', '0'],
];

const TABLES = [
  'GET /movies cold',
  'GET /favorites with 10 favorites stored',
  'POST /favorites',
  'GET /movies warm (',
  'GET /movies warm beside bare Express',
  'Summary',
];

/** The rows of the table whose title starts with `title`: label and cells, separators left out. */
function rowsOf(output: string, title: string): string[][] {
  const block = output.split('\n\n').find((part) => part.startsWith(title));
  if (block === undefined) throw new Error(`no table "${title}" in:\n${output}`);
  return block
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| |'))
    .map((line) =>
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
}

const NUMBER = /^\d+(\.\d+)?$/;

describe('npm run bench', () => {
  let stdout: string;

  beforeAll(async () => {
    ({ stdout } = await promisify(execFile)(process.execPath, ['scripts/bench/run.js', ...SHORT_RUN], {
      cwd: ROOT,
      timeout: 90_000,
    }));
  }, 100_000);

  it('says what it ran', () => {
    expect(stdout).toMatch(/^- load: autocannon .*2 connections/m);
    expect(stdout).toContain(`- database: ${process.env.FAVORITES_MONGO_IMAGE}`);
  });

  it.each(TABLES)('prints the table "%s" with a number for the API and the limit in every row', (title) => {
    const rows = rowsOf(stdout, title);
    expect(rows.length).toBeGreaterThan(0);
    for (const [label, api, limit] of rows) {
      // The image may not be built on this machine, and this run times none of its starts; the limit has none.
      if (label.startsWith('image size')) {
        expect(api).toMatch(/^(\d+(\.\d+)?|not built)$/);
        continue;
      }
      if (label.startsWith("start to ready (ms), the image's")) {
        expect({ api, limit }).toEqual({ api: 'not timed', limit: expect.stringMatching(NUMBER) });
        continue;
      }
      if (label.startsWith('start to ready, range')) {
        expect({ api, limit }).toEqual({
          api: expect.stringMatching(/^\d+–\d+; -$/),
          limit: expect.stringMatching(/^\d+–\d+$/),
        });
        continue;
      }
      expect({ label, api, limit }).toEqual({
        label,
        api: expect.stringMatching(NUMBER),
        limit: expect.stringMatching(NUMBER),
      });
    }
  });

  it('had no errors under the short load', () => {
    for (const title of TABLES.slice(1, 5)) {
      const errors = rowsOf(stdout, title).find(([label]) => label === 'errors');
      expect(errors?.slice(1, 3)).toEqual(['0', '0']);
    }
  });
});
