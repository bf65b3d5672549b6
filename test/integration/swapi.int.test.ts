import { createServer } from 'node:http';
import request from 'supertest';
import films from '../../services/swapi-stub/fixtures/films.json';
import people1 from '../../services/swapi-stub/fixtures/people-1.json';
import people2 from '../../services/swapi-stub/fixtures/people-2.json';
import { createTestApi, type TestApi } from '../support/api';
import { freePort } from '../support/ports';
import { startSwapiStub, type RunningStub } from '../support/swapi-stub';

// These routes never touch MongoDB, so the API points at a closed port for it.
const apis: TestApi[] = [];
const stubs: RunningStub[] = [];

async function apiWithSwapi(baseUrl: string, timeoutMs = 2000): Promise<TestApi> {
  const api = createTestApi({
    MONGODB_URL: `mongodb://127.0.0.1:${await freePort()}/unused`,
    SWAPI_BASE_URL: baseUrl,
    SWAPI_TIMEOUT_MS: String(timeoutMs),
    LOG_LEVEL: 'silent',
  });
  apis.push(api);
  return api;
}

async function stub(options?: Parameters<typeof startSwapiStub>[0]): Promise<RunningStub> {
  const running = await startSwapiStub(options);
  stubs.push(running);
  return running;
}

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
    expect(res.body).toEqual({ code: 'SWAPI_UNAVAILABLE', message: 'Could not fetch films from SWAPI (HTTP 500).' });
  });

  it('when nothing listens at the SWAPI address, responds 502 naming ECONNREFUSED', async () => {
    const api = await apiWithSwapi(`http://127.0.0.1:${await freePort()}/api`);

    const res = await request(api.app).get('/movies');

    expect(res.status).toBe(502);
    expect(res.body).toEqual({ code: 'SWAPI_UNAVAILABLE', message: 'Could not fetch films from SWAPI (ECONNREFUSED).' });
  });

  it('when SWAPI is slower than SWAPI_TIMEOUT_MS, responds 504 SWAPI_TIMEOUT after about that long', async () => {
    const api = await apiWithSwapi((await stub({ delayMs: 5000 })).baseUrl, 300);

    const started = Date.now();
    const res = await request(api.app).get('/movies');

    expect(res.status).toBe(504);
    expect(res.body).toEqual({ code: 'SWAPI_TIMEOUT', message: 'SWAPI did not answer the films request in time.' });
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it('when SWAPI answers 200 with an HTML page instead of JSON, responds 502 SWAPI_BAD_RESPONSE', async () => {
    // What a proxy or a maintenance page in front of SWAPI looks like.
    const html = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Down for maintenance</h1>'));
    await new Promise<void>((resolve) => html.listen(0, '127.0.0.1', resolve));
    const api = await apiWithSwapi(`http://127.0.0.1:${(html.address() as { port: number }).port}/api`);

    const res = await request(api.app).get('/movies');
    html.close();

    expect(res.status).toBe(502);
    expect(res.body).toEqual({ code: 'SWAPI_BAD_RESPONSE', message: 'SWAPI answered the films request with something that is not a list page.' });
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
    expect(res.body).toEqual({ code: 'NOT_FOUND', message: 'SWAPI has no such people page.' });
  });

  it('when SWAPI answers 503, responds 502 SWAPI_UNAVAILABLE', async () => {
    const failing = await apiWithSwapi((await stub({ failStatus: 503 })).baseUrl);

    const res = await request(failing.app).get('/people?page=2');

    expect(res.status).toBe(502);
    expect(res.body).toEqual({ code: 'SWAPI_UNAVAILABLE', message: 'Could not fetch people from SWAPI (HTTP 503).' });
  });

  it('when SWAPI is slow, responds 504', async () => {
    const slow = await apiWithSwapi((await stub({ delayMs: 5000 })).baseUrl, 300);

    const res = await request(slow.app).get('/people?page=2');

    expect(res.status).toBe(504);
    expect(res.body.code).toBe('SWAPI_TIMEOUT');
  });
});
