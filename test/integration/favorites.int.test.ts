import { Types } from 'mongoose';
import request from 'supertest';
import { createTestApi, type TestApi } from '../support/api';
import { eventually } from '../support/eventually';
import { startMongoServer, type MongoServer } from '../support/mongo-server';

const luke = { type: 'character', name: 'Luke Skywalker', url: 'https://swapi.dev/api/people/1/' };
const newHope = { type: 'movie', name: 'A New Hope', url: 'https://swapi.dev/api/films/1/' };

let mongo: MongoServer;
let api: TestApi;

beforeAll(async () => {
  mongo = await startMongoServer('favorites');
  api = createTestApi({ MONGODB_URL: mongo.url });
  await eventually(() => api.database.isConnected());
});

afterEach(async () => {
  await api.favorites.deleteMany({});
});

afterAll(async () => {
  await api?.stop();
  await mongo?.stop();
});

const post = (body: unknown) =>
  request(api.app)
    .post('/favorites')
    .send(body as object);

/**
 * Stores `count` SWAPI-like favorites straight in the collection, `createdAt` given rather than
 * stamped, so ties can be made; returns their ids in the list's order: newest first, then larger _id.
 */
async function seed(
  count: number,
  createdAt: (i: number) => Date = (i) => new Date(Date.UTC(2026, 0, 1) + i * 1000),
): Promise<string[]> {
  const docs = Array.from({ length: count }, (_, i) => ({
    _id: new Types.ObjectId(),
    type: i % 2 ? 'movie' : 'character',
    name: `Favorite ${i}`,
    url: `https://swapi.dev/api/people/${i + 1}/`,
    createdAt: createdAt(i),
    updatedAt: createdAt(i),
  }));
  await api.favorites.collection.insertMany(docs);
  return docs
    .sort(
      (a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b._id.toHexString().localeCompare(a._id.toHexString()),
    )
    .map(({ _id }) => _id.toHexString());
}

/** Follows `next` from the first page to the last; returns every page's body. */
async function allPages(limit: number): Promise<{ favorites: { id: string }[]; next: string | null }[]> {
  const pages = [];
  let cursor: string | null | undefined;
  do {
    const res = await request(api.app)
      .get('/favorites')
      .query({ limit, ...(cursor ? { cursor } : {}) })
      .expect(200);
    pages.push(res.body);
    cursor = res.body.next;
  } while (cursor);
  return pages;
}

describe('POST /favorites', () => {
  it('when the body is a valid favorite, responds 201 with the course message and stores it', async () => {
    const res = await post(luke);

    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      message: 'Favorite saved!',
      favorite: {
        id: expect.stringMatching(/^[0-9a-f]{24}$/),
        ...luke,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      },
    });
    const stored = await api.favorites.find().lean();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject(luke);
  });

  it('when fields have surrounding spaces, stores them trimmed', async () => {
    const res = await post({ type: ' movie ', name: '  A New Hope ', url: ' https://swapi.dev/api/films/1/ ' });

    expect(res.status).toBe(201);
    expect(res.body.favorite).toMatchObject(newHope);
  });

  it.each([
    ['type is not movie or character', { ...luke, type: 'planet' }, 'type must be one of: movie, character'],
    ['type is missing', { name: luke.name, url: luke.url }, 'type is required'],
    ['name is blank', { ...luke, name: '   ' }, 'name must not be blank'],
    ['name is a number', { ...luke, name: 42 }, 'name must be a string'],
    ['name is an operator object', { ...luke, name: { $ne: null } }, 'name must be a string'],
    ['url is not http(s)', { ...luke, url: 'ftp://swapi.dev/api/people/1/' }, 'url must be an http or https URL'],
    ['url is not a URL', { ...luke, url: 'people/1' }, 'url must be an http or https URL'],
    ['name is too long', { ...luke, name: 'x'.repeat(201) }, 'name must be at most 200 characters'],
  ])('when %s, responds 400 VALIDATION_FAILED and stores nothing', async (_case, body, problem) => {
    const res = await post(body);

    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.message).toContain(problem);
    expect(res.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ message: problem })]));
    expect(await api.favorites.countDocuments()).toBe(0);
  });

  it('when every field is missing, lists each problem', async () => {
    const res = await post({});

    expect(res.status).toBe(400);
    expect(res.body.details.map((d: { field: string }) => d.field)).toEqual(['type', 'name', 'url']);
  });

  it('when the body is a JSON array, responds 400', async () => {
    const res = await post([luke]);

    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
  });

  it('when the JSON is malformed, responds 400 INVALID_JSON as JSON', async () => {
    const res = await request(api.app)
      .post('/favorites')
      .set('Content-Type', 'application/json')
      .send('{"type": "movie",');

    expect(res.status).toBe(400);
    expect(res.type).toBe('application/json');
    expect(res.body).toEqual({
      code: 'INVALID_JSON',
      message: 'The body is not valid JSON.',
      requestId: expect.any(String),
    });
  });

  it('when the body is not JSON, responds 415', async () => {
    const res = await request(api.app).post('/favorites').type('form').send('type=movie&name=x&url=https://x.y/');

    expect(res.status).toBe(415);
    expect(res.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(await api.favorites.countDocuments()).toBe(0);
  });

  it('when the JSON body is empty, responds 400 rather than 415', async () => {
    const res = await request(api.app).post('/favorites').set('Content-Type', 'application/json');

    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
  });

  it('when the body is larger than 10 kB, responds 413', async () => {
    const res = await post({ ...luke, padding: 'x'.repeat(20_000) });

    expect(res.status).toBe(413);
    expect(res.body.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('when the name is already a favorite, responds 409 with the stored favorite and keeps it', async () => {
    await post(luke).expect(201);

    const res = await post({ ...luke, url: 'https://swapi.dev/api/people/99/' });

    expect(res.status).toBe(409);
    expect(res.body).toEqual({
      code: 'DUPLICATE_FAVORITE',
      message: 'Favorite exists already!',
      favorite: expect.objectContaining({ ...luke, id: expect.stringMatching(/^[0-9a-f]{24}$/) }),
      requestId: expect.any(String),
    });
    const stored = await api.favorites.find().lean();
    expect(stored.map((f) => f.url)).toEqual([luke.url]);
  });

  it('when ten identical favorites arrive at once, stores exactly one: one 201, nine 409', async () => {
    const responses = await Promise.all(Array.from({ length: 10 }, () => post(newHope)));

    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([201, ...Array(9).fill(409)]);
    expect(await api.favorites.countDocuments({ name: newHope.name })).toBe(1);
  });
});

describe('GET /favorites', () => {
  it('when there are none, responds 200 with an empty list and no next page', async () => {
    const res = await request(api.app).get('/favorites');

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ favorites: [], next: null });
  });

  it('responds with every favorite, newest first, in the clean shape', async () => {
    await post(luke).expect(201);
    await post(newHope).expect(201);

    const res = await request(api.app).get('/favorites');

    expect(res.status).toBe(200);
    expect(res.body.favorites.map((f: { name: string }) => f.name)).toEqual([newHope.name, luke.name]);
    for (const favorite of res.body.favorites) {
      expect(Object.keys(favorite).sort()).toEqual(['createdAt', 'id', 'name', 'type', 'updatedAt', 'url']);
    }
  });
});

describe('GET /favorites, a page at a time', () => {
  it('following next with limit=2, reads every favorite once, newest first, ties broken by id, and the last page has next null', async () => {
    // Four favorites share a createdAt: the order must not depend on which one MongoDB finds first.
    const expected = await seed(7, (i) => new Date(Date.UTC(2026, 0, 1) + Math.min(i, 3) * 1000));

    const pages = await allPages(2);

    expect(pages.map((page) => page.favorites.length)).toEqual([2, 2, 2, 1]);
    expect(pages.flatMap((page) => page.favorites.map((f) => f.id))).toEqual(expected);
    expect(pages.at(-1)!.next).toBeNull();
  });

  it('when the favorites fill the last page exactly, that page says next null rather than pointing at an empty one', async () => {
    await seed(4);

    const pages = await allPages(2);

    expect(pages.map((page) => page.favorites.length)).toEqual([2, 2]);
  });

  it('without limit, answers the newest 100 and a next cursor, as the course did for small lists', async () => {
    const expected = await seed(101);

    const res = await request(api.app).get('/favorites').expect(200);

    expect(res.body.favorites.map((f: { id: string }) => f.id)).toEqual(expected.slice(0, 100));
    expect(res.body.next).toEqual(expect.any(String));
    const rest = await request(api.app).get('/favorites').query({ cursor: res.body.next }).expect(200);
    expect(rest.body).toEqual({ favorites: [expect.objectContaining({ id: expected[100] })], next: null });
  });

  it('with limit=200, the maximum, answers 200 favorites of SWAPI size in well under 50 kB', async () => {
    await seed(201);

    const res = await request(api.app).get('/favorites?limit=200').expect(200);

    expect(res.body.favorites).toHaveLength(200);
    expect(res.body.next).toEqual(expect.any(String));
    expect(Buffer.byteLength(res.text)).toBeLessThan(50_000);
  });

  it('a favorite saved while a client pages through neither repeats nor shifts the later pages', async () => {
    const expected = await seed(3);
    const first = await request(api.app).get('/favorites?limit=1').expect(200);

    await post(luke).expect(201);
    const second = await request(api.app).get('/favorites').query({ limit: 1, cursor: first.body.next }).expect(200);

    expect(first.body.favorites.map((f: { id: string }) => f.id)).toEqual([expected[0]]);
    expect(second.body.favorites.map((f: { id: string }) => f.id)).toEqual([expected[1]]);
  });

  it('pages keep the clean shape: exactly id, type, name, url and the timestamps, as before paging', async () => {
    const created = await post(luke).expect(201);

    const res = await request(api.app).get('/favorites?limit=1').expect(200);

    expect(res.body).toEqual({ favorites: [created.body.favorite], next: null });
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=201', 'limit'],
    ['limit=abc', 'limit'],
    ['limit=2.5', 'limit'],
    ['limit=', 'limit'],
    ['limit=1&limit=2', 'limit'],
    ['cursor=garbled', 'cursor'],
    ['cursor=%FF%FE', 'cursor'],
    [`cursor=${Buffer.from('not a position').toString('base64url')}`, 'cursor'],
    ['cursor=a&cursor=b', 'cursor'],
  ])('with %s, responds 400 VALIDATION_FAILED naming %s', async (query, field) => {
    const res = await request(api.app).get(`/favorites?${query}`);

    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      code: 'VALIDATION_FAILED',
      message: expect.stringMatching(new RegExp(`^${field} `)),
      details: [{ field, message: expect.any(String) }],
      requestId: expect.any(String),
    });
  });
});

describe('GET /favorites/:id', () => {
  it('when the favorite exists, responds 200 with it', async () => {
    const created = await post(luke).expect(201);

    const res = await request(api.app).get(`/favorites/${created.body.favorite.id}`);

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ favorite: created.body.favorite });
  });

  it('when no favorite has the id, responds 404', async () => {
    const res = await request(api.app).get('/favorites/0123456789abcdef01234567');

    expect(res.status).toBe(404);
    expect(res.body.code).toBe('NOT_FOUND');
  });

  it('when the id is malformed, responds 400 INVALID_ID', async () => {
    const res = await request(api.app).get('/favorites/not-an-id');

    expect(res.status).toBe(400);
    expect(res.body.code).toBe('INVALID_ID');
  });
});

describe('DELETE /favorites/:id', () => {
  it('when the favorite exists, responds 204 and removes it', async () => {
    const created = await post(luke).expect(201);

    const res = await request(api.app).delete(`/favorites/${created.body.favorite.id}`);

    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(await api.favorites.countDocuments()).toBe(0);
  });

  it('when no favorite has the id, responds 404', async () => {
    const res = await request(api.app).delete('/favorites/0123456789abcdef01234567');

    expect(res.status).toBe(404);
    expect(res.body.code).toBe('NOT_FOUND');
  });

  it('when the id is malformed, responds 400 INVALID_ID', async () => {
    const res = await request(api.app).delete('/favorites/12345');

    expect(res.status).toBe(400);
    expect(res.body.code).toBe('INVALID_ID');
  });
});

describe('unknown routes and health', () => {
  it('when the route does not exist, responds 404 as JSON, not HTML', async () => {
    const res = await request(api.app).get('/nope');

    expect(res.status).toBe(404);
    expect(res.type).toBe('application/json');
    expect(res.body).toEqual({ code: 'NOT_FOUND', message: 'No route for GET /nope.', requestId: expect.any(String) });
  });

  it('when the path has malformed percent-encoding, responds 400 as JSON', async () => {
    const res = await request(api.app).get('/favorites/%E0%A4%A');

    expect(res.status).toBe(400);
    expect(res.type).toBe('application/json');
    expect(res.body.code).toBe('BAD_REQUEST');
  });

  it('when the JSON body declares a charset the API cannot read, responds 415', async () => {
    const res = await request(api.app)
      .post('/favorites')
      .set('Content-Type', 'application/json; charset=latin1')
      .send('{}');

    expect(res.status).toBe(415);
    expect(res.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('GET /healthz responds 200 while the process runs', async () => {
    const res = await request(api.app).get('/healthz');

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', uptimeSeconds: expect.any(Number) });
  });

  it('GET /readyz responds 200 with the connection details when MongoDB answers a ping', async () => {
    const res = await request(api.app).get('/readyz');

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'ready',
      ready: true,
      database: {
        host: mongo.host,
        port: mongo.port,
        name: mongo.dbName,
        state: 'connected',
        lastError: null,
        hint: null,
      },
    });
  });
});
