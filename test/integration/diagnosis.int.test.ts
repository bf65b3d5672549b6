import { getServers, setServers } from 'node:dns';
import { createServer, type Server, type Socket } from 'node:net';
import request from 'supertest';
import { createTestApi, type TestApi } from '../support/api';
import { eventually } from '../support/eventually';
import { CLOSED_PORT, freePort } from '../support/ports';

// Each case points the API at a real unreachable target and reads /readyz, as a user would.
const apis: TestApi[] = [];

afterAll(async () => {
  await Promise.all(apis.map((api) => api.stop()));
});

async function readinessFor(env: Record<string, string>, inContainer: boolean) {
  const api = createTestApi({ LOG_LEVEL: 'silent', ...env }, { inContainer });
  apis.push(api);
  await eventually(() => api.database.currentFailure() !== undefined, 15_000);
  const res = await request(api.app).get('/readyz');
  expect(res.status).toBe(503);
  return res.body.database;
}

describe('GET /readyz diagnosis', () => {
  it('when the API in a container dials localhost, reports ECONNREFUSED and that localhost is the container itself', async () => {
    const port = CLOSED_PORT;

    const database = await readinessFor({ MONGODB_HOST: 'localhost', MONGODB_PORT: String(port) }, true);

    expect(database.lastError.code).toBe('ECONNREFUSED');
    expect(database.resolvedAddress).toMatch(/^(127\.0\.0\.1|::1)$/);
    expect(database.hint).toContain('localhost is the container itself');
    expect(database.hint).toContain(
      'Use host.docker.internal for a MongoDB on the host, or the MongoDB service name on a shared network.',
    );
  });

  it('when a service name does not resolve, reports ENOTFOUND and that the containers share no user-defined network', async () => {
    const database = await readinessFor({ MONGODB_HOST: 'mongodb' }, true);

    expect(database.lastError.code).toBe('ENOTFOUND');
    expect(database.resolvedAddress).toBeNull();
    expect(database.hint).toContain('"mongodb" is not a name this container can resolve');
    expect(database.hint).toContain('the default bridge has no DNS');
  });

  it('when host.docker.internal does not resolve, reports ENOTFOUND and the extra_hosts line to add', async () => {
    const database = await readinessFor({ MONGODB_HOST: 'host.docker.internal' }, true);

    expect(database.lastError.code).toBe('ENOTFOUND');
    expect(database.hint).toContain('`extra_hosts: ["host.docker.internal:host-gateway"]`');
  });

  describe('when an IP address accepts connections but never answers', () => {
    let silent: Server;
    const sockets = new Set<Socket>();
    afterAll(async () => {
      sockets.forEach((socket) => socket.destroy());
      await new Promise((resolve) => silent.close(resolve));
    });

    it('reports ETIMEDOUT and that the address is wrong or stale', async () => {
      silent = createServer((socket) => {
        sockets.add(socket);
        socket.on('error', () => socket.destroy());
      });
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const { port } = silent.address() as { port: number };

      const database = await readinessFor({ MONGODB_HOST: '127.0.0.1', MONGODB_PORT: String(port) }, true);

      expect(database.lastError.code).toBe('ETIMEDOUT');
      expect(database.hint).toContain(`No answer from 127.0.0.1:${port}: the address is wrong or stale`);
      expect(database.hint).toContain('Container IPs change when containers are recreated');
    });
  });

  describe('with a mongodb+srv:// URL, whose servers come from a DNS SRV record', () => {
    it("when the machine's DNS has no such record, reports DNS_SRV_FAILED, the SRV name it asked for and the DNS hint", async () => {
      // .invalid never resolves (RFC 6761): NXDOMAIN from a resolver, or no answer without one.
      const database = await readinessFor({ MONGODB_URL: 'mongodb+srv://favorites.invalid/swfavorites' }, true);

      expect(database.lastError.code).toBe('DNS_SRV_FAILED');
      expect(database.lastError.message).toMatch(/^querySrv E[A-Z]+ _mongodb\._tcp\.favorites\.invalid$/);
      expect(database.hint).toContain('SRV record _mongodb._tcp.favorites.invalid');
      expect(database.hint).not.toContain('bind_ip');
    });

    it('when the DNS server refuses the query (querySrv ECONNREFUSED), says DNS, not that MongoDB refused: no bind_ip hint', async () => {
      // The driver asks Node's default resolver: pointed at a closed port, the query is refused.
      const machineServers = getServers();
      setServers([`127.0.0.1:${CLOSED_PORT}`]);
      let database;
      try {
        database = await readinessFor({ MONGODB_URL: 'mongodb+srv://cluster0.example.net/swfavorites' }, true);
      } finally {
        setServers(machineServers);
      }

      expect(database.lastError.code).toBe('DNS_SRV_FAILED');
      expect(database.lastError.message).toBe('querySrv ECONNREFUSED _mongodb._tcp.cluster0.example.net');
      expect(database.hint).toContain(
        'No DNS server answered the lookup of the SRV record _mongodb._tcp.cluster0.example.net (ECONNREFUSED): this is DNS, not MongoDB.',
      );
      expect(database.hint).toContain('the DNS this container uses');
      expect(database.hint).not.toContain('bind_ip');
    });
  });

  it('never shows the password, in /readyz or in the logs', async () => {
    const port = await freePort();
    const api = createTestApi({
      MONGODB_URL: `mongodb://admin:s3cret-pw@127.0.0.1:${port}/swfavorites?authSource=admin`,
    });
    apis.push(api);
    await eventually(() => api.database.currentFailure() !== undefined);

    const res = await request(api.app).get('/readyz');

    expect(res.body.database.url).toBe(`mongodb://admin:****@127.0.0.1:${port}/swfavorites?authSource=admin`);
    expect(JSON.stringify(res.body)).not.toContain('s3cret-pw');
    expect(api.logs.join('')).not.toContain('s3cret-pw');
  });
});

describe('with PUBLIC_DIAGNOSIS=false', () => {
  it('tells a caller only that MongoDB is unreachable: no address, no error, no hint in /readyz or a 503; the log keeps the diagnosis', async () => {
    const api = createTestApi(
      { MONGODB_HOST: '127.0.0.1', MONGODB_PORT: String(CLOSED_PORT), PUBLIC_DIAGNOSIS: 'false' },
      { inContainer: true },
    );
    apis.push(api);
    await eventually(() => api.database.currentFailure() !== undefined, 15_000);

    const ready = await request(api.app).get('/readyz');
    const favorites = await request(api.app).get('/favorites');

    expect(ready.status).toBe(503);
    expect(ready.body).toEqual({
      status: 'unavailable',
      code: 'DATABASE_UNAVAILABLE',
      message: 'MongoDB is not reachable. The API log says why.',
      ready: false,
    });
    expect(favorites.status).toBe(503);
    expect(favorites.body.message).not.toContain('127.0.0.1');
    expect(api.logs.join('\n')).toContain('(ECONNREFUSED)');
  });
});
