import request from 'supertest';
import { createTestApi, type TestApi } from '../support/api';
import { eventually } from '../support/eventually';
import { startMongoServer, type MongoServer } from '../support/mongo-server';
import { freePort } from '../support/ports';
import { TcpProxy } from '../support/tcp-proxy';

// The API talks to MongoDB through a proxy the tests cut and restore: a real outage, seen from the API.
let mongo: MongoServer;
let proxy: TcpProxy;
let api: TestApi;

const luke = { type: 'character', name: 'Luke Skywalker', url: 'https://swapi.dev/api/people/1/' };

beforeAll(async () => {
  mongo = await startMongoServer('outage');
  proxy = new TcpProxy(mongo.host, mongo.port);
  proxy.port = await freePort();
});

afterAll(async () => {
  await api?.stop();
  await proxy?.cut();
  await mongo?.stop();
});

describe('when MongoDB is down as the API starts', () => {
  beforeAll(() => {
    api = createTestApi({ MONGODB_URL: `mongodb://127.0.0.1:${proxy.port}/${mongo.dbName}` });
  });

  it('answers /healthz 200: the HTTP server does not wait for the database', async () => {
    await request(api.app).get('/healthz').expect(200);
  });

  it('answers database routes 503 DATABASE_UNAVAILABLE within a second', async () => {
    const started = Date.now();
    const res = await request(api.app).get('/favorites');

    expect(Date.now() - started).toBeLessThan(1000);
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.body.code).toBe('DATABASE_UNAVAILABLE');
  });

  it('answers /readyz 503 with ECONNREFUSED, the target and the hint', async () => {
    await eventually(() => api.database.currentFailure() !== undefined);

    const res = await request(api.app).get('/readyz');

    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({
      status: 'unavailable',
      code: 'DATABASE_UNAVAILABLE',
      ready: false,
      database: {
        host: '127.0.0.1',
        port: proxy.port,
        resolvedAddress: '127.0.0.1',
        state: 'connecting',
        lastError: { code: 'ECONNREFUSED' },
        hint: `Nothing listens on 127.0.0.1:${proxy.port}: start MongoDB there, or point MONGODB_HOST / MONGODB_URL at the server.`,
      },
    });
    expect(res.body.message).toBe(`MongoDB is not reachable: ${res.body.database.hint}`);
  });

  it('logs the refusal once, however many attempts fail', async () => {
    await eventually(async () => (await api.database.check()).status.attempts >= 4);

    const warnings = api.logs.filter((line) => line.includes('cannot reach MongoDB'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('(ECONNREFUSED)');
  });

  it('becomes ready without a restart once MongoDB is up, and serves requests', async () => {
    await proxy.open();

    await eventually(() => api.database.isConnected());
    await request(api.app).post('/favorites').send(luke).expect(201);
    const ready = await request(api.app).get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.database).toMatchObject({ state: 'connected', lastError: null });
    expect(api.logs.filter((line) => line.includes('connected to MongoDB'))).toHaveLength(1);
  });
});

describe('when MongoDB goes away while the API runs', () => {
  it('has a hint for its 503s from the moment the driver reports the loss, before a check says why', async () => {
    await eventually(() => api.database.isConnected(), 15_000);
    const atLoss = new Promise((resolve) =>
      api.database.connection.once('disconnected', () => resolve(api.database.currentFailure())),
    );

    await proxy.cut();

    expect(await atLoss).toMatchObject({
      code: 'CONNECTION_LOST',
      hint: expect.stringContaining(`MongoDB at 127.0.0.1:${proxy.port} was lost`),
    });
    await proxy.open();
    await eventually(() => api.database.isConnected(), 15_000);
  });

  it('answers 503 within about a second, then recovers by itself and keeps what was stored', async () => {
    await proxy.cut();

    const started = Date.now();
    const during = await request(api.app).get('/favorites');
    expect(during.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(2000);
    // The API diagnoses the loss by itself: the 503s carry the hint without anyone calling /readyz.
    await eventually(() => api.database.currentFailure()?.code === 'ECONNREFUSED');
    const refused = await request(api.app)
      .post('/favorites')
      .send({ ...luke, name: 'Leia Organa' });
    expect(refused.status).toBe(503);
    expect(refused.body.message).toContain(`Nothing listens on 127.0.0.1:${proxy.port}`);
    const readiness = await request(api.app).get('/readyz');
    expect(readiness.status).toBe(503);
    expect(readiness.body.database.lastError.code).toBe('ECONNREFUSED');

    await proxy.open();

    await eventually(async () => (await request(api.app).get('/favorites')).status === 200, 15_000);
    const after = await request(api.app).get('/favorites');
    expect(after.body.favorites.map((f: { name: string }) => f.name)).toEqual(['Luke Skywalker']);
    expect(await api.favorites.countDocuments({ name: 'Leia Organa' })).toBe(0);
    await request(api.app).get('/readyz').expect(200);
  });
});

describe('when MongoDB stops answering without closing connections (a vanished host)', () => {
  it('answers within a few seconds instead of hanging, reports a timeout, then recovers', async () => {
    await eventually(() => api.database.isConnected(), 15_000);
    proxy.freeze();

    // The first query finds out the hard way: its 2 s socket timeout, then the driver's one retry.
    let started = Date.now();
    const first = await request(api.app).get('/favorites');
    expect(first.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(6000);
    // From then on the API knows, and answers at once.
    started = Date.now();
    const next = await request(api.app).get('/favorites');
    expect(next.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(1000);
    const readiness = await request(api.app).get('/readyz');
    expect(readiness.status).toBe(503);
    expect(readiness.body.database.lastError.code).toBe('ETIMEDOUT');
    expect(readiness.body.database.hint).toContain('the address is wrong or stale');

    proxy.thaw();

    await eventually(async () => (await request(api.app).get('/favorites')).status === 200, 20_000);
  }, 30_000);
});

describe('when the API shuts down while a database check is under way', () => {
  it('logs no failure: a check cut short by the shutdown is not an outage', async () => {
    const ownProxy = new TcpProxy(mongo.host, mongo.port);
    await ownProxy.open();
    const stopping = createTestApi({ MONGODB_URL: `mongodb://127.0.0.1:${ownProxy.port}/${mongo.dbName}` });
    await eventually(() => stopping.database.isConnected());
    ownProxy.freeze();
    const check = stopping.database.check();

    await stopping.stop();
    await check;
    await ownProxy.cut();

    expect(stopping.logs.filter((line) => line.includes('WARN'))).toEqual([]);
  });
});

describe('when MongoDB freezes under load (20 concurrent readers)', () => {
  it('answers every request 200 or 503 DATABASE_UNAVAILABLE with the hint, never a 500, then recovers', async () => {
    const ownProxy = new TcpProxy(mongo.host, mongo.port);
    await ownProxy.open();
    const loaded = createTestApi({
      MONGODB_URL: `mongodb://127.0.0.1:${ownProxy.port}/${mongo.dbName}`,
      LOG_LEVEL: 'silent',
    });
    try {
      await eventually(() => loaded.database.isConnected());
      const answers: { status: number; code?: string; message?: string }[] = [];
      let running = true;
      const reader = async () => {
        while (running) {
          const res = await request(loaded.app).get('/favorites');
          answers.push({ status: res.status, code: res.body.code, message: res.body.message });
        }
      };
      const readers = Array.from({ length: 20 }, reader);

      await new Promise((r) => setTimeout(r, 300));
      ownProxy.freeze();
      await new Promise((r) => setTimeout(r, 5000));
      ownProxy.thaw();
      await eventually(() => answers.at(-1)?.status === 200, 20_000);
      running = false;
      await Promise.all(readers);

      const refusals = answers.filter((a) => a.status !== 200);
      expect(refusals.length).toBeGreaterThan(0);
      expect(refusals.filter((a) => a.status !== 503 || a.code !== 'DATABASE_UNAVAILABLE')).toEqual([]);
      expect(refusals.filter((a) => !a.message?.includes('the address is wrong or stale'))).toEqual([]);
    } finally {
      await loaded.stop();
      await ownProxy.cut();
    }
  });
});

describe('when the connection breaks after MongoDB got the insert (a POST whose outcome is unknown)', () => {
  it('answers 503 saying a retry is safe, and the retry answers 409 with the favorite that was stored', async () => {
    const ownProxy = new TcpProxy(mongo.host, mongo.port);
    await ownProxy.open();
    const api = createTestApi({
      MONGODB_URL: `mongodb://127.0.0.1:${ownProxy.port}/${mongo.dbName}_unknown`,
      LOG_LEVEL: 'silent',
    });
    try {
      await eventually(() => api.database.isConnected());
      ownProxy.freezeReplies();

      const first = await request(api.app).post('/favorites').send(luke);
      ownProxy.thaw();
      await eventually(async () => (await request(api.app).get('/favorites')).status === 200, 20_000);
      const retry = await request(api.app).post('/favorites').send(luke);

      expect(first.status).toBe(503);
      expect(first.body.message).toContain('retrying is safe');
      expect(retry.status).toBe(409);
      expect(retry.body.favorite).toMatchObject(luke);
      expect(await api.favorites.countDocuments({ name: luke.name })).toBe(1);
    } finally {
      await api.favorites.db.dropDatabase().catch(() => undefined);
      await api.stop();
      await ownProxy.cut();
    }
  });
});
