import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensurePasswordFile, parseSpec } from './credentials';

describe('credentials one-shot', () => {
  let dir: string;
  const me = { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'credentials-test-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads <file>:<uid>:<gid>', () => {
    expect(parseSpec('/run/secrets/api/password:1000:1000')).toEqual({
      file: '/run/secrets/api/password',
      uid: 1000,
      gid: 1000,
    });
  });

  it.each(['relative/password:1:1', '/run/secrets/password:1000', '/run/secrets/password:root:1'])(
    'refuses "%s"',
    (spec) => {
      expect(() => parseSpec(spec)).toThrow('expected <absolute file>:<uid>:<gid>');
    },
  );

  it('creates a missing file with a fresh 32-character password, readable by owner and group only', () => {
    const file = join(dir, 'password');

    expect(ensurePasswordFile({ file, ...me })).toBe('created');

    expect(readFileSync(file, 'utf8')).toMatch(/^[A-Za-z0-9_-]{32}\n$/);
    expect(statSync(file).mode & 0o777).toBe(0o440);
  });

  it('keeps a file that exists, so a restart never changes a password MongoDB already knows', () => {
    const file = join(dir, 'password');
    writeFileSync(file, 'chosen-by-me\n');

    expect(ensurePasswordFile({ file, ...me })).toBe('kept');

    expect(readFileSync(file, 'utf8')).toBe('chosen-by-me\n');
  });

  it('forces a kept file back to 0440, however open it was (a 0666 file is not left readable by all)', () => {
    const file = join(dir, 'password');
    writeFileSync(file, 'chosen-by-me\n');
    chmodSync(file, 0o666);

    expect(ensurePasswordFile({ file, ...me })).toBe('kept');

    expect(statSync(file).mode & 0o777).toBe(0o440);
    expect(readFileSync(file, 'utf8')).toBe('chosen-by-me\n');
  });

  it('makes a different password each time', () => {
    const [a, b] = ['a', 'b'].map((name) => {
      ensurePasswordFile({ file: join(dir, name), ...me });
      return readFileSync(join(dir, name), 'utf8');
    });

    expect(a).not.toBe(b);
  });
});
