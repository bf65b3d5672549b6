import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { API_NODE_FLAGS } from '../../scripts/lib/api-command';

// The API's node flags live in package.json's start script (read by scripts/lib/api-command.js,
// which the bench and the server-process suite start it with). The image must run node with the
// same ones, and make its compile cache with them too: V8 rejects a cache made under flags that
// change compiled code, and the image's start would quietly lose it.
const DOCKERFILE = readFileSync(resolve(__dirname, '../../services/favorites/Dockerfile'), 'utf8');

/** What a command line gives node before dist/server.js. */
function flagsBeforeServer(words: string[]): string[] {
  const node = words.indexOf('node');
  const server = words.indexOf('dist/server.js');
  expect(node).toBeGreaterThanOrEqual(0);
  expect(server).toBeGreaterThan(node);
  return words.slice(node + 1, server);
}

describe("the API's node flags", () => {
  it('are set in the start script', () => {
    expect(API_NODE_FLAGS).toEqual(['--no-memory-reducer']);
  });

  it("are the image's command's", () => {
    const cmd = /^CMD (\[.*\])$/m.exec(DOCKERFILE)?.[1];
    expect(cmd).toBeDefined();
    expect(flagsBeforeServer(JSON.parse(cmd as string))).toEqual(API_NODE_FLAGS);
  });

  it("are the ones the image's compile cache is made with", () => {
    const line = DOCKERFILE.split('\n').find((text) => text.includes('NODE_COMPILE_CACHE=/app/.compile-cache PORT='));
    expect(line).toBeDefined();
    expect(flagsBeforeServer((line as string).split(/\s+/))).toEqual(API_NODE_FLAGS);
  });
});
