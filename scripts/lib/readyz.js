// Polls an API's GET /readyz: scripts/stack.js and scripts/reliability.js wait on it the same way.
'use strict';

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

module.exports = { readyzUntil };
