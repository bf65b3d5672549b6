import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import request from 'supertest';
import type { StartedTestContainer } from 'testcontainers';
import { failureCode } from '../../services/favorites/src/db/diagnosis';
import { ensureDatabaseUser } from '../../services/favorites/src/setup/database-user';
import { loadDatabaseUserConfig } from '../../services/favorites/src/shared/config';
import { createTestApi, type TestApi } from '../support/api';
import { eventually } from '../support/eventually';
import { mongoContainer } from '../support/mongo-server';

// MongoDB with authentication on, started the way the compose files start it (the official image's
// MONGO_INITDB_ROOT_* variables, which the offline FerretDB stand-in honours too), and the API
// signing in as its own user, which the database-user one-shot creates.

const ADMIN_PASSWORD = randomBytes(12).toString('base64url');
const API_PASSWORD = randomBytes(12).toString('base64url');
const DB = 'favorites_auth_test';

let server: StartedTestContainer;
let target: Record<string, string>;
const apis: TestApi[] = [];

beforeAll(async () => {
  server = await mongoContainer()
    .withEnvironment({ MONGO_INITDB_ROOT_USERNAME: 'admin', MONGO_INITDB_ROOT_PASSWORD: ADMIN_PASSWORD })
    .withExposedPorts(27017)
    .start();
  target = { MONGODB_HOST: server.getHost(), MONGODB_PORT: String(server.getMappedPort(27017)), MONGODB_DB: DB };
});

afterAll(async () => {
  await Promise.all(apis.map((api) => api.stop()));
  await server?.stop();
});

const userConfig = (overrides: Record<string, string> = {}) =>
  loadDatabaseUserConfig({
    ...target,
    MONGODB_USERNAME: 'favorites',
    MONGODB_PASSWORD: API_PASSWORD,
    MONGODB_ROOT_USERNAME: 'admin',
    MONGODB_ROOT_PASSWORD: ADMIN_PASSWORD,
    ...overrides,
  });

function startApi(credentials: Record<string, string>): TestApi {
  const api = createTestApi({ LOG_LEVEL: 'silent', ...target, ...credentials });
  apis.push(api);
  return api;
}

async function failedReadiness(api: TestApi) {
  await eventually(() => api.database.currentFailure() !== undefined, 15_000);
  const res = await request(api.app).get('/readyz');
  expect(res.status).toBe(503);
  return res.body;
}

/** FerretDB says who it is in buildInfo; it authenticates users but has no roles. */
async function serverHasRoles(): Promise<boolean> {
  const client = await mongoose.mongo.MongoClient.connect(userConfig().admin.url);
  try {
    return !('ferretdbVersion' in (await client.db('admin').command({ buildInfo: 1 })));
  } finally {
    await client.close();
  }
}

describe('MongoDB with authentication', () => {
  beforeAll(async () => {
    await ensureDatabaseUser(userConfig());
  });

  it('creates the API user once, then only updates it, so the one-shot can run on every start', async () => {
    const again = await ensureDatabaseUser(userConfig());

    expect(again.action).toBe('updated');
  });

  it('grants readWrite on the API database only, or, on a server without roles (FerretDB), says it granted none', async () => {
    const { roles } = await ensureDatabaseUser(userConfig());

    expect(roles).toEqual((await serverHasRoles()) ? [{ role: 'readWrite', db: DB }] : null);
  });

  it('with the API user and its password, is ready and saves and lists favorites', async () => {
    const api = startApi({ MONGODB_USERNAME: 'favorites', MONGODB_PASSWORD: API_PASSWORD });
    await eventually(() => api.database.isConnected(), 15_000);

    const saved = await request(api.app)
      .post('/favorites')
      .send({ name: 'A New Hope', type: 'movie', url: 'https://swapi.dev/api/films/1/' });
    const listed = await request(api.app).get('/favorites');

    expect((await request(api.app).get('/readyz')).body.database.url).toMatch(/^mongodb:\/\/favorites:\*\*\*\*@/);
    expect(saved.status).toBe(201);
    expect(listed.body.favorites.map((f: { name: string }) => f.name)).toContain('A New Hope');
  });

  it('with a wrong password, /readyz reports AUTH_FAILED with the variables to check, and never the password', async () => {
    const api = startApi({ MONGODB_USERNAME: 'favorites', MONGODB_PASSWORD: 'not-the-password' });

    const body = await failedReadiness(api);
    const list = await request(api.app).get('/favorites');

    expect(body.database.lastError.code).toBe('AUTH_FAILED');
    expect(body.database.hint).toContain('check MONGODB_USERNAME and MONGODB_PASSWORD or MONGODB_PASSWORD_FILE');
    expect(JSON.stringify(body)).not.toContain('not-the-password');
    expect(list.status).toBe(503);
    expect(list.body).toEqual({
      code: 'DATABASE_UNAVAILABLE',
      message: expect.stringContaining('MongoDB rejected the credentials'),
      requestId: expect.any(String),
    });
  });

  it('with no credentials at all, /readyz reports UNAUTHORIZED and says to set a user with readWrite', async () => {
    const api = startApi({});

    const body = await failedReadiness(api);

    expect(body.database.lastError).toMatchObject({
      code: 'UNAUTHORIZED',
      message: expect.stringMatching(/requires authentication/),
    });
    expect(body.database.hint).toContain(
      'set MONGODB_USERNAME and MONGODB_PASSWORD or MONGODB_PASSWORD_FILE, for a user with the readWrite role',
    );
  });

  it('refuses to set up the API user with a wrong administrator password, as AUTH_FAILED', async () => {
    const failure = await ensureDatabaseUser(userConfig({ MONGODB_ROOT_PASSWORD: 'wrong' })).catch(
      (error: unknown) => error,
    );

    expect(failureCode(failure)).toBe('AUTH_FAILED');
  });
});
