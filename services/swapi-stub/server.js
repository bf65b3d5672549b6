'use strict';
// A stand-in for SWAPI (https://swapi.dev), which the offline machines and tests cannot reach.
// Serves fixture pages in SWAPI's shape: GET /api/films/ and GET /api/people/?page=N.
// No dependencies, so it runs with a bare Node image: `node server.js` (PORT, default 8080).
const http = require('node:http');
const path = require('node:path');
const fs = require('node:fs');

const fixture = (name) => JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', `${name}.json`), 'utf8'));
const PAGES = {
  films: { 1: fixture('films') },
  people: { 1: fixture('people-1'), 2: fixture('people-2') },
};

/**
 * @param {{ delayMs?: number, failStatus?: number }} [options]
 *   delayMs: wait this long before answering (to provoke client timeouts);
 *   failStatus: answer every request with this HTTP status (to provoke upstream errors).
 */
function createSwapiStub(options = {}) {
  const { delayMs = 0, failStatus } = options;
  const server = http.createServer((req, res) => {
    const send = (status, body) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const answer = () => {
      if (failStatus) return send(failStatus, { detail: 'Stub configured to fail' });
      const url = new URL(req.url ?? '/', 'http://stub');
      const match = /^\/api\/(films|people)\/?$/.exec(url.pathname);
      if (req.method !== 'GET' || !match) return send(404, { detail: 'Not found' });
      const page = PAGES[match[1]][url.searchParams.get('page') ?? '1'];
      return page ? send(200, page) : send(404, { detail: 'Not found' });
    };
    if (delayMs > 0) {
      const timer = setTimeout(answer, delayMs);
      res.on('close', () => clearTimeout(timer));
    } else {
      answer();
    }
  });
  return server;
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
