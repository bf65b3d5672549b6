import { createServer, type RequestListener } from 'node:http';
import request from 'supertest';
import films from '../../services/swapi-stub/fixtures/films.json';
import people1 from '../../services/swapi-stub/fixtures/people-1.json';
import people2 from '../../services/swapi-stub/fixtures/people-2.json';
import { createTestApi, type TestApi } from '../support/api';
import { CLOSED_PORT, freePort } from '../support/ports';
import { startSwapiStub, type RunningStub } from '../support/swapi-stub';

// These routes never touch MongoDB, so the API points at a closed port for it.
const apis: TestApi[] = [];
const stubs: RunningStub[] = [];

async function apiWithSwapi(baseUrl: string, timeoutMs = 2000, env: Record<string, string> = {}): Promise<TestApi> {
  const api = createTestApi({
    MONGODB_URL: `mongodb://127.0.0.1:${await freePort()}/unused`,
    SWAPI_BASE_URL: baseUrl,
    SWAPI_TIMEOUT_MS: String(timeoutMs),
    LOG_LEVEL: 'silent',
    ...env,
  });
  apis.push(api);
  return api;
}

async function stub(options?: Parameters<typeof startSwapiStub>[0]): Promise<RunningStub> {
  const running = await startSwapiStub(options);
  stubs.push(running);
  return running;
}

/** A stub that counts the requests it receives. */
async function countingStub(
  options?: Parameters<typeof startSwapiStub>[0],
): Promise<RunningStub & { requests: () => number }> {
  let requests = 0;
  const running = await stub({ ...options, onRequest: () => (requests += 1) });
  return { ...running, requests: () => requests };
}

/** A SWAPI URL where nothing listens. */
// Privileged ports nobody listens on (see CLOSED_PORT): two, for a primary and a mirror.
const CLOSED_PORTS = [CLOSED_PORT, 1];
const nothingListening = (which = 0) => `http://127.0.0.1:${CLOSED_PORTS[which]}/api`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

afterAll(async () => {
  await Promise.all(apis.map((api) => api.stop()));
  await Promise.all(stubs.map((s) => s.close()));
});

describe('GET /movies', () => {
  it('when SWAPI answers, responds 200 with its films page under "movies"', async () => {
    const api = await apiWithSwapi((await stub()).baseUrl);

    const res = await request(api.app).get('/movies');

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ movies: films });
  });

  it('when SWAPI answers 500, responds 502 SWAPI_UNAVAILABLE', async () => {
    const api = await apiWithSwapi((await stub({ failStatus: 500 })).baseUrl);

    const res = await request(api.app).get('/movies');

    expect(res.status).toBe(502);
    expect(res.body).toEqual({
      code: 'SWAPI_UNAVAILABLE',
      message: 'Could not fetch films from SWAPI (HTTP 500).',
      requestId: expect.any(String),
    });
  });

  it('when nothing listens at the SWAPI address, responds 502 naming ECONNREFUSED', async () => {
    const api = await apiWithSwapi(nothingListening());

    const res = await request(api.app).get('/movies');

    expect(res.status).toBe(502);
    expect(res.body).toEqual({
      code: 'SWAPI_UNAVAILABLE',
      message: 'Could not fetch films from SWAPI (ECONNREFUSED).',
      requestId: expect.any(String),
    });
  });

  it('when SWAPI is slower than SWAPI_TIMEOUT_MS, responds 504 SWAPI_TIMEOUT after about that long', async () => {
    const api = await apiWithSwapi((await stub({ delayMs: 5000 })).baseUrl, 300);

    const started = Date.now();
    const res = await request(api.app).get('/movies');

    expect(res.status).toBe(504);
    expect(res.body).toEqual({
      code: 'SWAPI_TIMEOUT',
      message: 'SWAPI did not answer the films request in time.',
      requestId: expect.any(String),
    });
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it('when SWAPI answers 200 with an HTML page instead of JSON, responds 502 SWAPI_BAD_RESPONSE', async () => {
    // What a proxy or a maintenance page in front of SWAPI looks like.
    const html = createServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Down for maintenance</h1>'),
    );
    await new Promise<void>((resolve) => html.listen(0, '127.0.0.1', resolve));
    const api = await apiWithSwapi(`http://127.0.0.1:${(html.address() as { port: number }).port}/api`);

    const res = await request(api.app).get('/movies');
    html.close();

    expect(res.status).toBe(502);
    expect(res.body).toEqual({
      code: 'SWAPI_BAD_RESPONSE',
      message: 'SWAPI answered the films request with something that is not a list page.',
      requestId: expect.any(String),
    });
  });
});

describe('GET /people', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await apiWithSwapi((await stub()).baseUrl);
  });

  it('without a page, responds 200 with the first people page under "people"', async () => {
    const res = await request(api.app).get('/people');

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ people: people1 });
  });

  it('with ?page=2, responds 200 with the second page', async () => {
    const res = await request(api.app).get('/people?page=2');

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ people: people2 });
  });

  it.each(['0', '-1', 'abc', '1.5', '99999'])('with ?page=%s, responds 400 INVALID_PAGE', async (page) => {
    const res = await request(api.app).get(`/people?page=${page}`);

    expect(res.status).toBe(400);
    expect(res.body.code).toBe('INVALID_PAGE');
  });

  it('with a repeated ?page parameter, responds 400 INVALID_PAGE', async () => {
    const res = await request(api.app).get('/people?page=1&page=2');

    expect(res.status).toBe(400);
    expect(res.body.code).toBe('INVALID_PAGE');
  });

  it('with a page SWAPI does not have, responds 404', async () => {
    const res = await request(api.app).get('/people?page=50');

    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      code: 'NOT_FOUND',
      message: 'SWAPI has no such people page.',
      requestId: expect.any(String),
    });
  });

  it('when SWAPI answers 503, responds 502 SWAPI_UNAVAILABLE', async () => {
    const failing = await apiWithSwapi((await stub({ failStatus: 503 })).baseUrl);

    const res = await request(failing.app).get('/people?page=2');

    expect(res.status).toBe(502);
    expect(res.body).toEqual({
      code: 'SWAPI_UNAVAILABLE',
      message: 'Could not fetch people from SWAPI (HTTP 503).',
      requestId: expect.any(String),
    });
  });

  it('when SWAPI is slow, responds 504', async () => {
    const slow = await apiWithSwapi((await stub({ delayMs: 5000 })).baseUrl, 300);

    const res = await request(slow.app).get('/people?page=2');

    expect(res.status).toBe(504);
    expect(res.body.code).toBe('SWAPI_TIMEOUT');
  });
});

describe('SWAPI answers that are refused', () => {
  it('when SWAPI trickles its answer, responds 504 SWAPI_TIMEOUT once SWAPI_TIMEOUT_MS has passed in all', async () => {
    // A byte every 20 ms keeps the socket busy: only a deadline on the whole request stops it.
    const api = await apiWithSwapi((await stub({ trickleBytesPerSecond: 50 })).baseUrl, 500);

    const started = Date.now();
    const res = await request(api.app).get('/people');

    expect(res.status).toBe(504);
    expect(res.body).toEqual({
      code: 'SWAPI_TIMEOUT',
      message: 'SWAPI did not answer the people request in time.',
      requestId: expect.any(String),
    });
    expect(Date.now() - started).toBeLessThan(1500);
  }, 5000);

  it('when SWAPI answers with more than 1 MB, responds 502 SWAPI_BAD_RESPONSE', async () => {
    const api = await apiWithSwapi((await stub({ bodyBytes: 1024 * 1024 + 100 })).baseUrl);

    const res = await request(api.app).get('/movies');

    expect(res.status).toBe(502);
    expect(res.body).toEqual({
      code: 'SWAPI_BAD_RESPONSE',
      message: "SWAPI's answer to the films request is larger than 1 MB.",
      requestId: expect.any(String),
    });
  });

  it('when SWAPI answers with a page just under 1 MB, responds 200 with it', async () => {
    const api = await apiWithSwapi((await stub({ bodyBytes: 1024 * 1024 - 100 })).baseUrl);

    const res = await request(api.app).get('/movies');

    expect(res.status).toBe(200);
    expect(res.body.movies.results).toEqual(films.results);
  });

  it('when SWAPI redirects, responds 502 SWAPI_BAD_RESPONSE without following the redirect', async () => {
    const target = await countingStub();
    const api = await apiWithSwapi((await stub({ redirectTo: `${target.baseUrl}/films/` })).baseUrl);

    const res = await request(api.app).get('/movies');

    expect(res.status).toBe(502);
    expect(res.body).toEqual({
      code: 'SWAPI_BAD_RESPONSE',
      message: 'SWAPI answered the films request with a redirect (HTTP 302), which is not followed.',
      requestId: expect.any(String),
    });
    expect(target.requests()).toBe(0);
  });

  it('when SWAPI answers 200 with JSON that is not a list page, responds 502 SWAPI_BAD_RESPONSE', async () => {
    const api = await apiWithSwapi((await stub({ body: { detail: 'not a page', results: 'none' } })).baseUrl);

    const res = await request(api.app).get('/people');

    expect(res.status).toBe(502);
    expect(res.body).toEqual({
      code: 'SWAPI_BAD_RESPONSE',
      message: 'SWAPI answered the people request with something that is not a list page.',
      requestId: expect.any(String),
    });
  });

  it('when the SWAPI URL is https:// but the server speaks plain HTTP, responds 502 naming the TLS error', async () => {
    const api = await apiWithSwapi((await stub()).baseUrl.replace(/^http:/, 'https:'));

    const res = await request(api.app).get('/movies');

    expect(res.status).toBe(502);
    expect(res.body.code).toBe('SWAPI_UNAVAILABLE');
    expect(res.body.message).toMatch(/^Could not fetch films from SWAPI \((EPROTO|ERR_SSL_[A-Z_]+)\)\.$/);
  });

  it('when nothing listens at SWAPI or its mirror, responds 502 at once, not after SWAPI_TIMEOUT_MS', async () => {
    const timeoutMs = 5000;
    const api = await apiWithSwapi(nothingListening(0), timeoutMs, { SWAPI_MIRRORS: nothingListening(1) });

    const started = Date.now();
    const res = await request(api.app).get('/movies');

    expect(res.status).toBe(502);
    expect(res.body).toEqual({
      code: 'SWAPI_UNAVAILABLE',
      message: 'Could not fetch films from SWAPI (ECONNREFUSED).',
      requestId: expect.any(String),
    });
    // From the refusals, not the deadline: well inside SWAPI_TIMEOUT_MS. Not a fixed second: with
    // suites running side by side, a 2-core machine took 1.3 s for it.
    expect(Date.now() - started).toBeLessThan(timeoutMs / 2);
  });

  it('with credentials in SWAPI_BASE_URL, sends them to SWAPI but puts them in no answer and no log line', async () => {
    let authorization: string | undefined;
    const upstream = await stub({ failStatus: 500, onRequest: (req) => (authorization = req.headers.authorization) });
    const api = await apiWithSwapi(upstream.baseUrl.replace('://', '://user:s3cret@'), 2000, { LOG_LEVEL: 'debug' });

    const res = await request(api.app).get('/movies');

    expect(authorization).toBe(`Basic ${Buffer.from('user:s3cret').toString('base64')}`);
    expect(res.status).toBe(502);
    expect(JSON.stringify(res.body)).not.toContain('s3cret');
    expect(api.logs.join('')).not.toContain('s3cret');
  });
});

describe('SWAPI cache', () => {
  it('when a page was fetched before, answers from the cache with X-Swapi-Cache: hit and does not ask SWAPI again', async () => {
    const upstream = await countingStub();
    const api = await apiWithSwapi(upstream.baseUrl);

    const first = await request(api.app).get('/people?page=2');
    const second = await request(api.app).get('/people?page=2');

    expect(first.headers['x-swapi-cache']).toBe('miss');
    expect(second.status).toBe(200);
    expect(second.headers['x-swapi-cache']).toBe('hit');
    expect(second.body).toEqual({ people: people2 });
    expect(upstream.requests()).toBe(1);
  });

  it('caches each page on its own: another page is a miss', async () => {
    const upstream = await countingStub();
    const api = await apiWithSwapi(upstream.baseUrl);

    await request(api.app).get('/people?page=1');
    const res = await request(api.app).get('/people?page=2');

    expect(res.headers['x-swapi-cache']).toBe('miss');
    expect(res.body).toEqual({ people: people2 });
    expect(upstream.requests()).toBe(2);
  });

  it('when two requests for the same page arrive together, asks SWAPI once for both', async () => {
    const upstream = await countingStub({ delayMs: 200 });
    const api = await apiWithSwapi(upstream.baseUrl);

    const [a, b] = await Promise.all([request(api.app).get('/movies'), request(api.app).get('/movies')]);

    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body).toEqual({ movies: films });
    expect(b.body).toEqual({ movies: films });
    expect(upstream.requests()).toBe(1);
  });

  it('when 50 requests for a page nobody fetched yet arrive together, asks SWAPI once, and all 50 get 200 with the same page', async () => {
    // SWAPI answers only once all 50 are inside the API, so each one misses the cache: one
    // request upstream proves they shared it, not that the later ones found it cached.
    let release!: () => void;
    const upstream = await countingStub({ holdUntil: new Promise<void>((resolve) => (release = resolve)) });
    const api = await apiWithSwapi(upstream.baseUrl);
    let arrived = 0;
    // The app routes a request to the SWAPI client before it returns, so counting after it is exact.
    const countingApp: RequestListener = (req, res) => {
      api.app(req, res);
      if (++arrived === 50) release();
    };

    const answers = await Promise.all(Array.from({ length: 50 }, () => request(countingApp).get('/movies')));

    expect(upstream.requests()).toBe(1);
    expect(answers.map((res) => res.status)).toEqual(Array(50).fill(200));
    expect(answers.map((res) => res.headers['x-swapi-cache'])).toEqual(Array(50).fill('miss'));
    answers.forEach((res) => expect(res.body).toEqual({ movies: films }));
  });

  it('with SWAPI_CACHE_TTL_MS=0, asks SWAPI for every request', async () => {
    const upstream = await countingStub();
    const api = await apiWithSwapi(upstream.baseUrl, 2000, { SWAPI_CACHE_TTL_MS: '0' });

    const first = await request(api.app).get('/movies');
    const second = await request(api.app).get('/movies');

    expect([first.headers['x-swapi-cache'], second.headers['x-swapi-cache']]).toEqual(['miss', 'miss']);
    expect(upstream.requests()).toBe(2);
  });

  it('when the cached page is older than SWAPI_CACHE_TTL_MS and SWAPI answers, fetches it again', async () => {
    const upstream = await countingStub();
    const api = await apiWithSwapi(upstream.baseUrl, 2000, { SWAPI_CACHE_TTL_MS: '100' });

    await request(api.app).get('/movies');
    await sleep(150);
    const res = await request(api.app).get('/movies');

    expect(res.headers['x-swapi-cache']).toBe('miss');
    expect(upstream.requests()).toBe(2);
  });

  it('when the cached page is stale and SWAPI has died, responds 200 with it and X-Swapi-Cache: stale', async () => {
    const upstream = await stub();
    const api = await apiWithSwapi(upstream.baseUrl, 1000, { SWAPI_CACHE_TTL_MS: '100' });
    await request(api.app).get('/people?page=2');

    await upstream.close();
    await sleep(150);
    const res = await request(api.app).get('/people?page=2');

    expect(res.status).toBe(200);
    expect(res.headers['x-swapi-cache']).toBe('stale');
    expect(res.body).toEqual({ people: people2 });
  });

  it('when the cached page is stale and SWAPI times out, responds 200 with it within SWAPI_TIMEOUT_MS', async () => {
    // The primary answers once and dies; the mirror left never answers in time.
    const primary = await stub();
    const api = await apiWithSwapi(primary.baseUrl, 300, {
      SWAPI_CACHE_TTL_MS: '100',
      SWAPI_MIRRORS: (await stub({ delayMs: 5000 })).baseUrl,
    });
    await request(api.app).get('/movies');
    await primary.close();
    await sleep(150);

    const started = Date.now();
    const res = await request(api.app).get('/movies');

    expect(res.status).toBe(200);
    expect(res.headers['x-swapi-cache']).toBe('stale');
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('SWAPI mirrors', () => {
  it('when the primary answers 500, responds 200 from the mirror', async () => {
    const primary = await countingStub({ failStatus: 500 });
    const mirror = await countingStub();
    const api = await apiWithSwapi(primary.baseUrl, 2000, { SWAPI_MIRRORS: mirror.baseUrl });

    const res = await request(api.app).get('/movies');

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ movies: films });
    expect([primary.requests(), mirror.requests()]).toEqual([1, 1]);
  });

  it('when the primary is down and the first mirror answers 503, responds 200 from the second mirror', async () => {
    const first = await countingStub({ failStatus: 503 });
    const second = await countingStub();
    const api = await apiWithSwapi(nothingListening(), 2000, { SWAPI_MIRRORS: `${first.baseUrl},${second.baseUrl}` });

    const res = await request(api.app).get('/people?page=2');

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ people: people2 });
    expect([first.requests(), second.requests()]).toEqual([1, 1]);
  });

  it('when the primary never answers, responds 200 from the mirror within SWAPI_TIMEOUT_MS', async () => {
    const primary = await stub({ delayMs: 5000 });
    const mirror = await stub();
    const api = await apiWithSwapi(primary.baseUrl, 1000, { SWAPI_MIRRORS: mirror.baseUrl });

    const started = Date.now();
    const res = await request(api.app).get('/movies');

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ movies: films });
    expect(Date.now() - started).toBeLessThan(1000 + 200);
  });

  it('when the primary answers, does not ask the mirror', async () => {
    const mirror = await countingStub();
    const api = await apiWithSwapi((await stub()).baseUrl, 2000, { SWAPI_MIRRORS: mirror.baseUrl });

    const res = await request(api.app).get('/movies');

    expect(res.status).toBe(200);
    expect(mirror.requests()).toBe(0);
  });

  it('when the primary answers 404, responds 404 without asking the mirror', async () => {
    const mirror = await countingStub();
    const api = await apiWithSwapi((await stub()).baseUrl, 2000, { SWAPI_MIRRORS: mirror.baseUrl });

    const res = await request(api.app).get('/people?page=50');

    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      code: 'NOT_FOUND',
      message: 'SWAPI has no such people page.',
      requestId: expect.any(String),
    });
    expect(mirror.requests()).toBe(0);
  });

  it('when every upstream fails, responds with the last failure', async () => {
    const primary = await stub({ failStatus: 500 });
    const api = await apiWithSwapi(primary.baseUrl, 2000, { SWAPI_MIRRORS: (await stub({ failStatus: 503 })).baseUrl });

    const res = await request(api.app).get('/movies');

    expect(res.status).toBe(502);
    expect(res.body).toEqual({
      code: 'SWAPI_UNAVAILABLE',
      message: 'Could not fetch films from SWAPI (HTTP 503).',
      requestId: expect.any(String),
    });
  });

  it('when every upstream is too slow, responds 504 SWAPI_TIMEOUT after SWAPI_TIMEOUT_MS in all, not per upstream', async () => {
    const api = await apiWithSwapi((await stub({ delayMs: 5000 })).baseUrl, 600, {
      SWAPI_MIRRORS: (await stub({ delayMs: 5000 })).baseUrl,
    });

    const started = Date.now();
    const res = await request(api.app).get('/movies');

    expect(res.status).toBe(504);
    expect(res.body.code).toBe('SWAPI_TIMEOUT');
    expect(Date.now() - started).toBeGreaterThanOrEqual(550);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
