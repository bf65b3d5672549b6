import fc from 'fast-check';
import request from 'supertest';
import { createTestApi, type TestApi } from '../support/api';
import { eventually } from '../support/eventually';
import { startMongoServer, type MongoServer } from '../support/mongo-server';
import { startSwapiStub, type RunningStub } from '../support/swapi-stub';

// Generated input against every route, on a real database: whatever arrives, the answer is JSON
// with a 2xx or 4xx status, within a few seconds, and nothing but plain strings is ever stored.
let mongo: MongoServer;
let swapi: RunningStub;
let api: TestApi;

// Each property sends hundreds of real requests, writes journaled: on a busy 2-core machine one
// can take a minute. The bound is on count (numRuns), not on speed.
jest.setTimeout(120_000);

beforeAll(async () => {
  mongo = await startMongoServer('fuzz');
  swapi = await startSwapiStub();
  api = createTestApi({ MONGODB_URL: mongo.url, SWAPI_BASE_URL: swapi.baseUrl, LOG_LEVEL: 'silent' });
  await eventually(() => api.database.isConnected());
});

afterAll(async () => {
  await api?.favorites.db.dropDatabase().catch(() => undefined);
  await api?.stop();
  await swapi?.close();
  await mongo?.stop();
});

/** Asserts what every answer must be, whatever was sent; returns the status. */
function expectOrderlyAnswer(res: request.Response, allowed: number[]): number {
  expect(allowed).toContain(res.status);
  if (res.status !== 204) {
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    if (res.status >= 400) expect(typeof res.body.code).toBe('string');
  }
  return res.status;
}

const send = (req: request.Test) => req.timeout(5000);

// Keys a query could be steered with, and values that are operators rather than data.
const operatorKey = fc.constantFrom(
  '$ne',
  '$gt',
  '$regex',
  '$where',
  '$expr',
  '$in',
  '$exists',
  'a.b',
  '$$ROOT',
  '__proto__',
  'constructor',
);
const operatorObject = fc.dictionary(operatorKey, fc.jsonValue(), { minKeys: 1, maxKeys: 3 });
const fieldValue = fc.oneof(
  fc.string(),
  fc.webUrl(),
  fc.constantFrom('movie', 'character', ' movie '),
  operatorObject,
  fc.jsonValue(),
);
const favoriteLike = fc.record(
  { type: fieldValue, name: fieldValue, url: fieldValue, extra: fc.jsonValue() },
  { requiredKeys: [] },
);

describe('generated input', () => {
  it('POST /favorites with any JSON body answers 201, 400 or 409 as JSON, and stores only plain strings', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(favoriteLike, fc.jsonValue(), operatorObject), async (body) => {
        const res = await send(
          request(api.app).post('/favorites').set('Content-Type', 'application/json').send(JSON.stringify(body)),
        );
        expectOrderlyAnswer(res, [201, 400, 409, 413]);
      }),
      { numRuns: 800 },
    );

    const stored = await api.favorites.collection.find({}).toArray();
    for (const doc of stored) {
      expect([typeof doc.type, typeof doc.name, typeof doc.url]).toEqual(['string', 'string', 'string']);
      expect(Object.keys(doc).filter((key) => key.startsWith('$'))).toEqual([]);
    }
  });

  it('POST /favorites with any bytes under any content type answers 4xx or 201 as JSON', async () => {
    const contentType = fc.oneof(
      fc.constantFrom(
        'application/json',
        'application/json; charset=utf-16',
        'text/plain',
        'application/x-www-form-urlencoded',
        '',
      ),
      fc.string(),
    );
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 300 }), contentType, async (body, type) => {
        let req = request(api.app).post('/favorites');
        if (type && /^[\t\x20-\x7e]*$/.test(type)) req = req.set('Content-Type', type);
        const res = await send(req.send(Buffer.from(body)));
        expectOrderlyAnswer(res, [201, 400, 409, 413, 415]);
      }),
      { numRuns: 1000 },
    );
  });

  it('GET and DELETE /favorites/:id with any id answer 200, 204, 400 or 404 as JSON', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.stringMatching(/^[0-9a-f]{24}$/)), fc.boolean(), async (id, remove) => {
        const path = `/favorites/${encodeURIComponent(id)}`;
        const res = await send(remove ? request(api.app).delete(path) : request(api.app).get(path));
        expectOrderlyAnswer(res, remove ? [204, 400, 404] : [200, 400, 404]);
      }),
      { numRuns: 1000 },
    );
  });

  it('GET /favorites with any limit and cursor answers 200 or 400 as JSON, and never more than limit favorites', async () => {
    const cursorLike = fc.oneof(
      fc.string(),
      fc.base64String().map((text) => text.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')),
    );
    const query = fc.dictionary(
      fc.oneof(fc.constantFrom('limit', 'cursor', 'limit[]', 'cursor[$ne]'), fc.string()),
      fc.oneof(fc.string(), fc.integer({ min: -5, max: 300 }).map(String), cursorLike),
      { maxKeys: 3 },
    );
    await fc.assert(
      fc.asyncProperty(query, async (params) => {
        const res = await send(request(api.app).get('/favorites').query(params));
        if (expectOrderlyAnswer(res, [200, 400]) === 200) {
          expect(res.body.favorites.length).toBeLessThanOrEqual(Number(params.limit ?? 100));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('GET /people and /movies with any query string answer 200, 400 or 404 as JSON', async () => {
    const query = fc.dictionary(
      fc.oneof(fc.constantFrom('page', 'page[]', 'page[$ne]'), fc.string()),
      fc.oneof(fc.string(), fc.nat().map(String)),
      { maxKeys: 3 },
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('/people', '/movies'), query, async (route, params) => {
        const res = await send(request(api.app).get(route).query(params));
        expectOrderlyAnswer(res, [200, 400, 404]);
      }),
      { numRuns: 1000 },
    );
  });

  it('an operator in place of a name never matches a stored favorite: {"$ne": null} is refused, not queried', async () => {
    await send(
      request(api.app)
        .post('/favorites')
        .send({ type: 'movie', name: 'A New Hope', url: 'https://swapi.dev/api/films/1/' }),
    );

    const res = await send(
      request(api.app)
        .post('/favorites')
        .send({ type: 'movie', name: { $ne: null }, url: 'https://swapi.dev/api/films/1/' }),
    );

    expect(res.status).toBe(400);
    expect(await api.favorites.countDocuments({ name: { $type: 'object' } })).toBe(0);
  });
});
