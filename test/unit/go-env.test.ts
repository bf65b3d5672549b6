import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// scripts/lib/go-env.sh, the Go settings of the offline FerretDB build (scripts/offline-images.sh).
// `go env -w GONOSUMDB=...` writes a file that an empty GONOSUMDB variable does not override, so the
// build must not read that file at all (GOENV=off), whatever the machine set. A stand-in `go` answers
// `go env GOPROXY` (the machine's mirror, which the build keeps), so no Go is needed here.
const ROOT = resolve(__dirname, '../..');

describe('the offline Go build ignores go env -w settings', () => {
  let bin: string;

  beforeAll(() => {
    bin = mkdtempSync(join(tmpdir(), 'go-env-test-'));
    writeFileSync(
      join(bin, 'go'),
      '#!/bin/sh\n[ "$1 $2" = "env GOPROXY" ] && echo https://mirror.invalid/go && exit 0\nexit 1\n',
    );
    chmodSync(join(bin, 'go'), 0o755);
  });
  afterAll(() => rmSync(bin, { recursive: true, force: true }));

  it("reads no go env file, keeps only the machine's proxy, and sets every exemption and GOFLAGS itself", () => {
    // --norc: bash reads ~/.bashrc when its input is a socket (as in a Jest worker), and that may set PATH.
    const run = spawnSync('bash', ['--norc', '-c', '. scripts/lib/go-env.sh && isolate_go_env && env'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: `${bin}:${process.env.PATH}`,
        // What a machine's settings (or a `go env -w` file, which GOENV names) could hold.
        GOENV: join(bin, 'env'),
        GOFLAGS: '-mod=mod -insecure',
        GONOSUMDB: 'github.com',
        GOINSECURE: 'github.com',
        GOPRIVATE: 'github.com',
      },
    });
    const env = Object.fromEntries(
      run.stdout
        .split('\n')
        .filter((line) => line.startsWith('GO'))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );

    expect(run.status).toBe(0);
    expect(env).toEqual({
      GOENV: 'off',
      GOPROXY: 'https://mirror.invalid/go',
      GOFLAGS: '-mod=readonly -buildvcs=false',
      GONOSUMDB: '',
      GOINSECURE: '',
      GOPRIVATE: '',
    });
  });
});
