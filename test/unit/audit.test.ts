import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkLockfile } from '../../scripts/audit';

describe('scripts/audit.js checkLockfile', () => {
  it("passes this project's package-lock.json", () => {
    const lock = JSON.parse(readFileSync(join(__dirname, '../../package-lock.json'), 'utf8'));

    expect(checkLockfile(lock).problems).toEqual([]);
  });

  it('names a package with no sha512 hash, one fetched from git, and those that run install scripts', () => {
    const lock = {
      packages: {
        '': { version: '1.0.0' },
        'node_modules/ok': { version: '1.0.0', integrity: 'sha512-AAAA' },
        'node_modules/weak': { version: '1.0.0', integrity: 'sha1-AAAA' },
        'node_modules/from-git': { version: '1.0.0', integrity: 'sha512-BBBB', resolved: 'git+ssh://x/y.git' },
        'node_modules/a/node_modules/builds': { version: '2.1.0', integrity: 'sha512-CCCC', hasInstallScript: true },
        'packages/local': { link: true },
      },
    };

    expect(checkLockfile(lock)).toEqual({
      problems: [
        'node_modules/weak: no sha512 integrity',
        'node_modules/from-git: fetched from git+ssh, not a registry',
      ],
      installScripts: ['builds@2.1.0'],
    });
  });
});
