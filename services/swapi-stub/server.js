// @ts-check
'use strict';
// A stand-in for SWAPI (https://swapi.dev), which the offline machines and tests cannot reach.
// Serves fixture pages in SWAPI's shape: GET /api/films/ and GET /api/people/?page=N.
// No dependencies, so it runs with a bare Node image: `node server.js` (PORT, default 8080).
const http = require('node:http');
const path = require('node:path');
const fs = require('node:fs');

/**
 * A page of SWAPI's, as fixtures/<name>.json holds it.
 * @param {string} name
 * @returns {object}
 */
const fixture = (name) => JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', `${name}.json`), 'utf8'));
/** @type {Record<string, Record<string, object | undefined>>} */
const PAGES = {
  films: { 1: fixture('films') },
  people: { 1: fixture('people-1'), 2: fixture('people-2') },
};

/**
 * The ways the stub can misbehave; by default it answers at once, with the fixture pages.
 * @typedef {object} SwapiStubOptions
 * @property {number} [delayMs] wait this long before answering (to provoke client timeouts)
 * @property {Promise<unknown>} [holdUntil] answer no request before this settles (so a test decides when the first answer leaves)
 * @property {number} [failStatus] answer every request with this HTTP status (to provoke upstream errors)
 * @property {string} [redirectTo] answer every request with a 302 to this URL
 * @property {object} [body] answer 200 with this JSON instead of a fixture page (to serve the wrong shape)
 * @property {number} [bodyBytes] pad every JSON answer to about this many bytes (to serve one that is too large)
 * @property {number} [trickleBytesPerSecond] send every answer's body one byte at a time, at this rate
 * @property {(req: http.IncomingMessage) => void} [onRequest] called for every request, before it is answered (to count them)
 */

/**
 * A SWAPI stand-in, not listening yet.
 * @param {SwapiStubOptions} [options]
 * @returns {http.Server}
 */
function createSwapiStub(options = {}) {
  const { delayMs = 0, holdUntil, failStatus, redirectTo, body, bodyBytes, trickleBytesPerSecond, onRequest } = options;
  const server = http.createServer((req, res) => {
    onRequest?.(req);
    /**
     * @param {number} status
     * @param {object} payload
     */
    const send = (status, payload) => {
      const text = bodyBytes ? padded(payload, bodyBytes) : JSON.stringify(payload);
      res.writeHead(status, { 'content-type': 'application/json' });
      if (trickleBytesPerSecond) return trickle(res, Buffer.from(text), trickleBytesPerSecond);
      res.end(text);
    };
    const answer = () => {
      if (failStatus) return send(failStatus, { detail: 'Stub configured to fail' });
      if (redirectTo) return res.writeHead(302, { location: redirectTo }).end();
      const url = new URL(req.url ?? '/', 'http://stub');
      const match = /^\/api\/(films|people)\/?$/.exec(url.pathname);
      if (req.method !== 'GET' || !match) return send(404, { detail: 'Not found' });
      const page = PAGES[match[1]][url.searchParams.get('page') ?? '1'];
      if (!page) return send(404, { detail: 'Not found' });
      return send(200, body ?? page);
    };
    const respond = () => {
      if (delayMs > 0) {
        const timer = setTimeout(answer, delayMs);
        res.on('close', () => clearTimeout(timer));
      } else {
        answer();
      }
    };
    if (holdUntil) {
      holdUntil.then(respond, respond);
    } else {
      respond();
    }
  });
  return server;
}

/**
 * The payload as JSON, grown to `bytes` with a padding field: still valid, only too big.
 * @param {object} payload
 * @param {number} bytes
 */
function padded(payload, bytes) {
  const text = JSON.stringify({ ...payload, padding: '' });
  return JSON.stringify({ ...payload, padding: 'x'.repeat(Math.max(0, bytes - text.length)) });
}

/**
 * Sends `data` one byte at a time, `bytesPerSecond` bytes a second, until done or the client leaves.
 * @param {http.ServerResponse} res
 * @param {Buffer} data
 * @param {number} bytesPerSecond
 */
function trickle(res, data, bytesPerSecond) {
  let sent = 0;
  const timer = setInterval(() => {
    res.write(data.subarray(sent, sent + 1));
    sent += 1;
    if (sent >= data.length) {
      clearInterval(timer);
      res.end();
    }
  }, 1000 / bytesPerSecond);
  res.on('close', () => clearInterval(timer));
}

module.exports = { createSwapiStub };

if (require.main === module) {
  const port = Number(process.env.PORT ?? 8080);
  const server = createSwapiStub({
    delayMs: Number(process.env.SWAPI_STUB_DELAY_MS ?? 0),
    failStatus: Number(process.env.SWAPI_STUB_FAIL_STATUS ?? 0) || undefined,
  });
  server.listen(port, () => console.log(`SWAPI stub listening on port ${port}`));
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
