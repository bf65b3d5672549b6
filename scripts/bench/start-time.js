// Start to ready, measured where the server runs: starts `node <entry>` `starts` times, one after
// the other, each timed from spawn to its first 200 on /readyz, then stopped. Prints the times in
// milliseconds as one JSON line. run.js runs it on this machine for the source build and the limit,
// and inside the API image (docker run --network host, this file mounted) for the image's entry
// point, so that the image's own node, bundle and compile cache are what is measured.
// No dependencies: the image has none to offer. Usage:
//   node start-time.js <starts> <port> <entry> [args...]   (the server's settings in the environment)
// @ts-check
'use strict';

const { spawn } = require('node:child_process');

const READY_TIMEOUT_MS = 60_000;

/** @param {number} ms */
const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One start: spawn, poll /readyz every 5 ms, stop the server once it answers 200.
 * @param {string[]} command
 * @param {number} port
 * @returns {Promise<number>}
 */
async function timeOneStart(command, port) {
  const startedAt = performance.now();
  const child = spawn(process.execPath, command, {
    env: { ...process.env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let errors = '';
  child.stderr?.on('data', (chunk) => (errors = `${errors}${chunk}`.slice(-2000)));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${command.join(' ')} exited (${child.exitCode}):\n${errors}`);
      if (performance.now() - startedAt > READY_TIMEOUT_MS)
        throw new Error(`${command.join(' ')} was not ready within ${READY_TIMEOUT_MS / 1000} s:\n${errors}`);
      const status = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(2000) }).then(
        (res) => res.arrayBuffer().then(() => res.status),
        () => undefined, // not listening yet
      );
      if (status === 200) return performance.now() - startedAt;
      await delay(5);
    }
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
}

async function main() {
  const [starts, port, ...command] = process.argv.slice(2);
  if (!/^\d+$/.test(starts) || !/^\d+$/.test(port) || command.length === 0)
    throw new Error('usage: node start-time.js <starts> <port> <entry> [args...]');
  const times = [];
  for (let i = 0; i < Number(starts); i += 1) times.push(await timeOneStart(command, Number(port)));
  console.log(JSON.stringify(times));
}

main().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
