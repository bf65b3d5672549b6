// How the API's source build is started: package.json's start script, `node <flags>
// services/favorites/dist/server.js`. The bench and the tests that spawn the server start it the same
// way, flags included (the image's CMD uses them too: test/unit/node-flags.test.ts).
// @ts-check
'use strict';

const { readFileSync } = require('node:fs');
const { join, resolve } = require('node:path');

const ROOT = resolve(__dirname, '../..');
const SERVER_PATH = 'services/favorites/dist/server.js';
const API_SERVER = join(ROOT, SERVER_PATH);

/**
 * The node flags of package.json's start script.
 * @returns {string[]}
 */
function startScriptFlags() {
  const start = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts.start;
  const [command, ...rest] = start.split(/\s+/);
  if (command !== 'node' || rest.at(-1) !== SERVER_PATH)
    throw new Error(`package.json's start script is not "node [flags] ${SERVER_PATH}": ${start}`);
  return rest.slice(0, -1);
}

const API_NODE_FLAGS = startScriptFlags();
/** What node is given to run the API as npm start does: its flags, then the server. */
const API_NODE_ARGS = [...API_NODE_FLAGS, API_SERVER];

module.exports = { API_SERVER, API_NODE_FLAGS, API_NODE_ARGS };
