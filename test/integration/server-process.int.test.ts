import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import request from 'supertest';
import { eventually } from '../support/eventually';
import { startMongoServer, type MongoServer } from '../support/mongo-server';
import { readUntilClosed } from '../../scripts/lib/faults';
import { CLOSED_PORT, freePort } from '../support/ports';
import { API_NODE_ARGS } from '../../scripts/lib/api-command';
import { slowClients } from '../support/slowloris';
import { startSwapiStub, type RunningStub } from '../support/swapi-stub';

// The compiled server, run as npm start and the container run it: node, its flags, dist/server.js.
const ROOT = resolve(__dirname, '../..');

interface RunningServer {
  child: ChildProcess;
  baseUrl: string;
  output: () => string;
  exited: Promise<number | null>;
}

const running: RunningServer[] = [];

function startServer(env: Record<string, string>): RunningServer {
  const child = spawn(process.execPath, API_NODE_ARGS, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const server = { child, baseUrl: `http://127.0.0.1:${env.PORT}`, output: () => output, exited };
  running.push(server);
  return server;
}

const answers = (url: string) => async () =>
  (
    await request(url)
      .get('/healthz')
      .catch(() => undefined)
  )?.status === 200;

beforeAll(() => {
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
}, 120_000);

afterAll(() => {
  for (const { child } of running) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('server process', () => {
  it('when a variable is invalid, exits 1 with a message naming it', async () => {
    const server = startServer({ PORT: 'abc' });

    expect(await server.exited).toBe(1);
    expect(server.output()).toContain('Invalid configuration: PORT must be a whole number from 1 to 65535, got "abc"');
  });

  it('when MongoDB is unreachable, listens anyway: /healthz 200, /readyz 503 with the diagnosis', async () => {
    const server = startServer({ PORT: String(await freePort()), MONGODB_PORT: String(CLOSED_PORT) });
    await eventually(answers(server.baseUrl));

    let ready: request.Response | undefined;
    await eventually(async () => {
      ready = await request(server.baseUrl).get('/readyz');
      return ready.body.database.lastError !== null;
    });

    expect(ready?.status).toBe(503);
    expect(ready?.body.database.lastError.code).toBe('ECONNREFUSED');
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  describe.each(['SIGTERM', 'SIGINT'] as const)('on %s', (signal) => {
    let mongo: MongoServer;
    let slowSwapi: RunningStub;
    beforeAll(async () => {
      mongo = await startMongoServer(`signal_${signal}`);
      slowSwapi = await startSwapiStub({ delayMs: 1500 });
    });
    afterAll(async () => {
      await slowSwapi.close();
      await mongo.stop();
    });

    it('finishes the in-flight request, closes MongoDB and exits 0 within 10 s', async () => {
      const server = startServer({
        PORT: String(await freePort()),
        MONGODB_URL: mongo.url,
        SWAPI_BASE_URL: slowSwapi.baseUrl,
      });
      await eventually(
        async () =>
          (
            await request(server.baseUrl)
              .get('/readyz')
              .catch(() => undefined)
          )?.status === 200,
      );

      // then() sends the request now; SWAPI holds it for 1.5 s, so the signal lands mid-request.
      const response = request(server.baseUrl)
        .get('/movies')
        .then((res) => res);
      await new Promise((r) => setTimeout(r, 300));
      const signalled = Date.now();
      server.child.kill(signal);

      expect((await response).status).toBe(200);
      expect(await server.exited).toBe(0);
      expect(Date.now() - signalled).toBeLessThan(10_000);
      expect(server.output()).toContain(`${signal} received: draining for 2000 ms, then finishing in-flight requests`);
      expect(server.output()).toContain('shut down cleanly');
    });
  });

  describe('on SIGTERM with 20 clients reading over keep-alive', () => {
    let mongo: MongoServer;
    beforeAll(async () => {
      mongo = await startMongoServer('drain');
    });
    afterAll(async () => {
      await mongo.stop();
    });

    it('turns /readyz 503 draining, answers every request it was sent, closes each connection politely and exits 0', async () => {
      const server = startServer({ PORT: String(await freePort()), MONGODB_URL: mongo.url, SHUTDOWN_DRAIN_MS: '1000' });
      await eventually(
        async () =>
          (
            await request(server.baseUrl)
              .get('/readyz')
              .catch(() => undefined)
          )?.status === 200,
      );
      const clients = Array.from({ length: 20 }, () => readUntilClosed(`${server.baseUrl}/favorites`));
      await new Promise((r) => setTimeout(r, 500));

      const signalled = Date.now();
      server.child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 200));
      const draining = await request(server.baseUrl).get('/readyz');
      const results = await Promise.all(clients);

      expect(draining.status).toBe(503);
      expect(draining.body).toMatchObject({ status: 'draining', code: 'SHUTTING_DOWN' });
      expect(results.flatMap((r) => r.errors)).toEqual([]);
      expect(results.every((r) => r.statuses.length > 0 && r.statuses.every((status) => status === 200))).toBe(true);
      expect(results.every((r) => r.closedPolitely)).toBe(true);
      expect(await server.exited).toBe(0);
      expect(Date.now() - signalled).toBeLessThan(8000);
    });
  });

  describe('with 200 slow clients holding connections open', () => {
    it('still answers a normal request at once, and closes the slow ones once HTTP_HEADERS_TIMEOUT_MS has passed', async () => {
      const port = await freePort();
      const server = startServer({
        PORT: String(port),
        MONGODB_PORT: String(CLOSED_PORT),
        HTTP_HEADERS_TIMEOUT_MS: '1000',
      });
      await eventually(answers(server.baseUrl));
      // Each sends a request line and a header, and then nothing, as a slowloris client does.
      const slow = await slowClients(port, 200);

      const started = Date.now();
      const normal = await request(server.baseUrl).get('/healthz');
      const normalMs = Date.now() - started;
      const allClosedWithin = await slow.allClosedWithin(5000);

      expect(normal.status).toBe(200);
      expect(normalMs).toBeLessThan(1000);
      expect(allClosedWithin).toBe(true);
      slow.destroy();
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
    });
  });
});
