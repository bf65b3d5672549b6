// Polls an API's GET /readyz: scripts/stack.js and scripts/reliability.js wait on it the same way.
'use strict';

const { docker } = require('./engine');

/** Polls `${baseUrl}/readyz` until `done({ status, body })` accepts the answer; returns it. */
async function readyzUntil(baseUrl, done, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(5000) });
      last = { status: res.status, body: await res.json() };
      if (done(last)) return last;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${baseUrl}/readyz did not answer as expected within ${timeoutMs / 1000} s; last answer: ${JSON.stringify(last)}`);
}

/**
 * A container's /readyz asked from inside it, with its own node: for one that publishes no port
 * (network_mode none, a swarm task). { status, body }; status 0 while nothing answers there.
 */
function readyzInside(container) {
  const script = "fetch('http://127.0.0.1:3000/readyz').then(async (r) => console.log(r.status, await r.text()), () => console.log(0, '{}'))";
  const answer = docker(['exec', container, 'node', '-e', script]);
  if (!answer.ok) return { status: 0, body: {} };
  const [status, ...body] = answer.stdout.split(' ');
  return { status: Number(status), body: JSON.parse(body.join(' ')) };
}

module.exports = { readyzUntil, readyzInside };
