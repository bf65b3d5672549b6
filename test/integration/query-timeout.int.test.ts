import { Types } from 'mongoose';
import request from 'supertest';
import { encodeCursor } from '../../services/favorites/src/favorites/cursor';
import { createTestApi, type TestApi } from '../support/api';
import { eventually } from '../support/eventually';
import { startMongoServer, type MongoServer } from '../support/mongo-server';

// A slow query is not a dead database. The API that lists here gives MongoDB 1 ms per query
// (MONGODB_QUERY_TIMEOUT_MS=1), and the collection holds 1000 favorites. The list starts half-way
// down, after a cursor: the stand-in walks the index from the newest and reads every favorite
// before the cursor (FerretDB pushes the sort down to its storage, but no range), which takes far
// longer than that, so the server itself stops the query with MaxTimeMSExpired. A second API with
// the default limit reads the same list, to show the data and the server are fine.
let mongo: MongoServer;
let slow: TestApi;
let patient: TestApi;
let halfWay: string;

const luke = { type: 'character', name: 'Luke Skywalker', url: 'https://swapi.dev/api/people/1/' };

beforeAll(async () => {
  mongo = await startMongoServer('query_timeout');
  slow = createTestApi({ MONGODB_URL: mongo.url, MONGODB_QUERY_TIMEOUT_MS: '1' });
  patient = createTestApi({ MONGODB_URL: mongo.url });
  await eventually(() => slow.database.isConnected() && patient.database.isConnected());
  const favorites = Array.from({ length: 1000 }, (_, i) => ({
    _id: new Types.ObjectId(),
    type: 'character',
    name: `Favorite ${i}`,
    url: `https://swapi.dev/api/people/${i + 1}/`,
    createdAt: new Date(Date.UTC(2026, 0, 1) + i),
    updatedAt: new Date(Date.UTC(2026, 0, 1) + i),
  }));
  await slow.favorites.collection.insertMany(favorites);
  halfWay = `/favorites?cursor=${encodeCursor(favorites[500])}`;
});

afterAll(async () => {
  await slow?.stop();
  await patient?.stop();
  await mongo?.stop();
});

describe('a list that runs past MONGODB_QUERY_TIMEOUT_MS', () => {
  it('answers 504 QUERY_TIMEOUT, saying MongoDB stopped the query, not the outage 503', async () => {
    const res = await request(slow.app).get(halfWay);

    expect(res.status).toBe(504);
    expect(res.body).toEqual({
      code: 'QUERY_TIMEOUT',
      message:
        'MongoDB answered, but stopped the query at its time limit: it took too long. Try again, or ask for fewer favorites with ?limit=.',
      requestId: expect.any(String),
    });
    expect(res.headers['retry-after']).toBeUndefined();
  });

  it('leaves the API ready: /readyz answers 200, no failure is noted, and writes still work', async () => {
    await request(slow.app).get(halfWay).expect(504);

    const ready = await request(slow.app).get('/readyz');

    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({
      status: 'ready',
      ready: true,
      database: { state: 'connected', lastError: null },
    });
    expect(slow.database.currentFailure()).toBeUndefined();
    expect(slow.database.isConnected()).toBe(true);
    await request(slow.app).post('/favorites').send(luke).expect(201);
    await slow.favorites.deleteOne({ name: luke.name });
  });

  it('logs the 504 as a slow query, with no outage warning', async () => {
    await request(slow.app).get(halfWay).expect(504);

    expect(slow.logs.some((line) => line.includes('504 QUERY_TIMEOUT on GET /favorites'))).toBe(true);
    expect(slow.logs.filter((line) => line.includes('cannot reach MongoDB'))).toEqual([]);
  });

  it('is the same list an API with the default time limit answers 200', async () => {
    const res = await request(patient.app).get(halfWay);

    expect(res.status).toBe(200);
    expect(res.body.favorites).toHaveLength(100);
  });
});
