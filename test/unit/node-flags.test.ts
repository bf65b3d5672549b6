import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { API_NODE_FLAGS } from '../../scripts/lib/api-command';

// The API's node flags live in package.json's start script. The image must run node with the same
// ones, and make its compile cache with them too: V8 rejects a cache made under flags that change
// compiled code, and the image's start would quietly lose it. The bench reads the start script.
const ROOT = resolve(__dirname, '../..');
const START = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')).scripts.start as string;
const DOCKERFILE = readFileSync(resolve(ROOT, 'services/favorites/Dockerfile'), 'utf8');

/** What comes between `node` and the server's path in a command line, or undefined if it is not one. */
function flagsBefore(server: string, words: string[]): string[] | undefined {
  const node = words.indexOf('node');
  const script = words.indexOf(server);
  return node === -1 || script <= node ? undefined : words.slice(node + 1, script);
}

const startFlags = flagsBefore('services/favorites/dist/server.js', START.split(/\s+/));

describe("the API's node flags", () => {
  it('are set in the start script', () => {
    expect(startFlags).toEqual(['--no-memory-reducer']);
  });

  it("are the image's command's", () => {
    const cmd = /^CMD (\[.*\])$/m.exec(DOCKERFILE)?.[1];
    expect(cmd).toBeDefined();
    expect(flagsBefore('dist/server.js', JSON.parse(cmd as string))).toEqual(startFlags);
  });

  it("are the ones the image's compile cache is made with", () => {
    const line = DOCKERFILE.split('\n').find((text) => text.includes('NODE_COMPILE_CACHE=/app/.compile-cache PORT='));
    expect(line).toBeDefined();
    expect(flagsBefore('dist/server.js', (line as string).split(/\s+/))).toEqual(startFlags);
  });

  it('are the ones the bench starts the API with', () => {
    expect(API_NODE_FLAGS).toEqual(startFlags);
  });
});
