import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import request from 'supertest';
import { createTestApi, type TestApi } from '../support/api';
import { eventually } from '../support/eventually';
import { startMongoServer, type MongoServer } from '../support/mongo-server';

// Who may write, and which Host headers the API answers: FAVORITES_API_TOKEN (the write token)
// and ALLOWED_HOSTS, on the API as server.ts wires it, against a real MongoDB-compatible server.
const TOKEN = 'the-token-of-this-suite-0123456789';
const luke = { type: 'character', name: 'Luke Skywalker', url: 'https://swapi.dev/api/people/1/' };

let mongo: MongoServer;
let guarded: TestApi;
let open: TestApi;

beforeAll(async () => {
  mongo = await startMongoServer('access');
  guarded = createTestApi({ MONGODB_URL: mongo.url, FAVORITES_API_TOKEN: TOKEN, LOG_LEVEL: 'silent' });
  open = createTestApi({ MONGODB_URL: mongo.url, LOG_LEVEL: 'silent' });
  await eventually(() => guarded.database.isConnected() && open.database.isConnected());
});

afterEach(async () => {
  await guarded.favorites.deleteMany({});
});

afterAll(async () => {
  await guarded?.stop();
  await open?.stop();
  await mongo?.stop();
});

const saved = async () => (await guarded.favorites.find({}).lean()).map((favorite) => favorite.name);

describe('the write token (FAVORITES_API_TOKEN)', () => {
  it('when POST /favorites carries no token, responds 401 TOKEN_REQUIRED with a Bearer challenge, and saves nothing', async () => {
    const res = await request(guarded.app).post('/favorites').send(luke);

    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ code: 'TOKEN_REQUIRED' });
    expect(res.headers['www-authenticate']).toBe('Bearer realm="favorites"');
    expect(await saved()).toEqual([]);
  });

  it.each([
    ['another token', `Bearer ${TOKEN}x`],
    ['a token one character short', `Bearer ${TOKEN.slice(0, -1)}`],
  ])('when POST /favorites carries %s, responds 401 TOKEN_INVALID (invalid_token)', async (_case, authorization) => {
    const res = await request(guarded.app).post('/favorites').set('Authorization', authorization).send(luke);

    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ code: 'TOKEN_INVALID' });
    expect(res.headers['www-authenticate']).toBe('Bearer realm="favorites", error="invalid_token"');
    expect(await saved()).toEqual([]);
  });

  it.each([
    ['Basic credentials', `Basic ${Buffer.from(`user:${TOKEN}`).toString('base64')}`],
    ['the token without its scheme', TOKEN],
  ])('when POST /favorites sends %s, responds 401 TOKEN_REQUIRED', async (_case, authorization) => {
    const res = await request(guarded.app).post('/favorites').set('Authorization', authorization).send(luke);

    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ code: 'TOKEN_REQUIRED' });
  });

  it('when POST /favorites carries the token (scheme in any case), responds 201 and saves it', async () => {
    const res = await request(guarded.app).post('/favorites').set('Authorization', `bearer ${TOKEN}`).send(luke);

    expect(res.status).toBe(201);
    expect(await saved()).toEqual([luke.name]);
  });

  it('when DELETE /favorites/:id carries no token, responds 401 and deletes nothing; with it, 204', async () => {
    const { _id } = await guarded.favorites.create(luke);

    const refused = await request(guarded.app).delete(`/favorites/${_id}`);
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({ code: 'TOKEN_REQUIRED' });
    expect(await saved()).toEqual([luke.name]);

    const deleted = await request(guarded.app).delete(`/favorites/${_id}`).set('Authorization', `Bearer ${TOKEN}`);
    expect(deleted.status).toBe(204);
    expect(await saved()).toEqual([]);
  });

  it('when a read carries no token, responds 200: only writes need it', async () => {
    await guarded.favorites.create(luke);

    const res = await request(guarded.app).get('/favorites');

    expect(res.status).toBe(200);
    expect(res.body.favorites).toEqual([expect.objectContaining(luke)]);
  });

  it('when no token is set (the local stacks), POST and DELETE need none: 201, then 204', async () => {
    const created = await request(open.app).post('/favorites').send(luke);
    expect(created.status).toBe(201);

    const deleted = await request(open.app).delete(`/favorites/${created.body.favorite.id}`);
    expect(deleted.status).toBe(204);
  });

  it('when MongoDB is down, a write without the token still gets its 401, not a 503', async () => {
    const down = createTestApi({
      MONGODB_URL: 'mongodb://127.0.0.1:9/x',
      FAVORITES_API_TOKEN: TOKEN,
      LOG_LEVEL: 'silent',
    });
    try {
      const res = await request(down.app).post('/favorites').send(luke);

      expect(res.status).toBe(401);
    } finally {
      await down.stop();
    }
  });
});

describe('allowed hosts (ALLOWED_HOSTS)', () => {
  it.each([
    'localhost:3000',
    'LOCALHOST',
    'app.localhost',
    '127.0.0.1:3000',
    '[::1]:3000',
    '10.0.0.7',
    'favorites:3000',
    'api',
  ])('when Host is %s (loopback, an address, a service name), responds 200', async (host) => {
    const res = await request(open.app).get('/healthz').set('Host', host);

    expect(res.status).toBe(200);
  });

  it.each(['rebind.example.net', 'rebind.example.net:3000', '127.0.0.1.nip.io', 'localhost.example.net'])(
    'when Host is %s (a name with a dot, as DNS rebinding sends), responds 421 HOST_NOT_ALLOWED, on writes too',
    async (host) => {
      const read = await request(open.app).get('/readyz').set('Host', host);
      const write = await request(open.app).post('/favorites').set('Host', host).send(luke);

      expect(read.status).toBe(421);
      expect(read.body).toMatchObject({ code: 'HOST_NOT_ALLOWED' });
      expect(read.body.message).toContain(`"${host}"`);
      expect(write.status).toBe(421);
      expect(await saved()).toEqual([]);
    },
  );

  it('when ALLOWED_HOSTS names a host or a .domain, responds 200 to those and 421 to others', async () => {
    const api = createTestApi({
      MONGODB_URL: mongo.url,
      ALLOWED_HOSTS: 'api.example.org,.svc.cluster.local',
      LOG_LEVEL: 'silent',
    });
    try {
      const status = async (host: string) => (await request(api.app).get('/healthz').set('Host', host)).status;

      expect(await status('api.example.org:8080')).toBe(200);
      expect(await status('favorites.default.svc.cluster.local')).toBe(200);
      expect(await status('other.example.org')).toBe(421);
    } finally {
      await api.stop();
    }
  });

  it('when ALLOWED_HOSTS is *, any Host is answered', async () => {
    const api = createTestApi({ MONGODB_URL: mongo.url, ALLOWED_HOSTS: '*', LOG_LEVEL: 'silent' });
    try {
      const res = await request(api.app).get('/healthz').set('Host', 'rebind.example.net');

      expect(res.status).toBe(200);
    } finally {
      await api.stop();
    }
  });

  describe('a request with no Host at all (HTTP/1.0, as HAProxy checks /readyz)', () => {
    let server: Server;

    beforeAll(async () => {
      server = createServer(open.app);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    });

    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('is answered: no browser sends one', async () => {
      const { port } = server.address() as AddressInfo;
      const answer = await new Promise<string>((resolve, reject) => {
        let text = '';
        const socket = connect(port, '127.0.0.1', () => socket.write('GET /healthz HTTP/1.0\r\n\r\n'));
        socket.setEncoding('utf8');
        socket.on('data', (chunk) => (text += chunk));
        socket.on('end', () => resolve(text));
        socket.on('error', reject);
      });

      expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    });
  });
});
