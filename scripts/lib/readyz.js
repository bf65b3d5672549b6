// Polls an API's GET /readyz: scripts/stack.js and scripts/reliability.js wait on it the same way.
// @ts-check
'use strict';

const { docker } = require('./engine');

/**
 * What GET /readyz answered: its status, and its JSON body (the database's state, and why it is not ready).
 * @typedef {object} ReadyzAnswer
 * @property {number} status
 * @property {{ database?: { lastError?: { code?: string } | null } } & Record<string, unknown>} body
 */

/**
 * Polls `${baseUrl}/readyz` until `done({ status, body })` accepts the answer; returns it.
 * @param {string} baseUrl
 * @param {(answer: ReadyzAnswer) => boolean} done
 * @param {number} [timeoutMs]
 * @returns {Promise<ReadyzAnswer>}
 */
async function readyzUntil(baseUrl, done, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  /** @type {ReadyzAnswer | undefined} */
  let last;
  while (Date.now() < deadline) {
    // A timer that keeps the process alive, unlike AbortSignal.timeout's: a published port whose container
    // does not listen yet may take the connection and hold it, and node would then exit mid-wait.
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 5000);
    try {
      const res = await fetch(`${baseUrl}/readyz`, { signal: controller.signal });
      // The API's JSON, as its OpenAPI document describes it.
      const answer = { status: res.status, body: /** @type {ReadyzAnswer['body']} */ (await res.json()) };
      last = answer;
      if (done(answer)) return answer;
    } catch {
      // not listening yet
    } finally {
      clearTimeout(timer);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(
    `${baseUrl}/readyz did not answer as expected within ${timeoutMs / 1000} s; last answer: ${JSON.stringify(last)}`,
  );
}

/**
 * A container's /readyz asked from inside it, with its own node: for one that publishes no port
 * (network_mode none, a swarm task). { status, body }; status 0 while nothing answers there.
 * @param {string} container
 * @returns {ReadyzAnswer}
 */
function readyzInside(container) {
  const script =
    "fetch('http://127.0.0.1:3000/readyz').then(async (r) => console.log(r.status, await r.text()), () => console.log(0, '{}'))";
  const answer = docker(['exec', container, 'node', '-e', script]);
  if (!answer.ok) return { status: 0, body: {} };
  const [status, ...body] = answer.stdout.split(' ');
  return { status: Number(status), body: JSON.parse(body.join(' ')) };
}

module.exports = { readyzUntil, readyzInside };
