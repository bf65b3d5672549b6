import { readFileSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

// `docker inspect` lost the top-level NetworkSettings fields of the default bridge (IPAddress,
// Gateway, MacAddress...): deprecated since Docker 1.9 (API 1.21), no longer returned from API 1.52
// (Docker 29). A template that reads them prints nothing there, so every address is read per
// network, from .NetworkSettings.Networks.<network> (test/support/compose.ts: addressOn). Files only.
const ROOT = resolve(__dirname, '../..');
const SKIP = new Set(['node_modules', 'dist', '.git', 'coverage']);

function filesUnder(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (SKIP.has(entry.name)) return [];
    if (entry.isDirectory()) return filesUnder(path);
    return /\.(ts|js|sh|md|ya?ml)$/.test(entry.name) ? [path] : [];
  });
}

const TOP_LEVEL_FIELD =
  /\.NetworkSettings\.(Bridge|HairpinMode|LinkLocalIPv6\w*|Secondary\w*|EndpointID|Gateway|GlobalIPv6\w*|IPAddress|IPPrefixLen|IPv6Gateway|MacAddress)\b/;

describe('docker inspect templates', () => {
  it('never read the top-level NetworkSettings address fields, which Docker 29 no longer fills: only .NetworkSettings.Networks', () => {
    const self = relative(ROOT, __filename);
    const readers = ['test', 'scripts', 'docs', 'compose', 'k8s']
      .flatMap(filesUnder)
      .concat('README.md')
      .filter((file) => file !== self)
      .flatMap((file) =>
        readFileSync(join(ROOT, file), 'utf8')
          .split('\n')
          .flatMap((line, index) => (TOP_LEVEL_FIELD.test(line) ? [`${file}:${index + 1}: ${line.trim()}`] : [])),
      );

    expect(readers).toEqual([]);
  });
});
