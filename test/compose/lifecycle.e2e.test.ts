import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { docker, inspect } from '../support/docker';
import { freePort } from '../support/ports';
import {
  COMPOSE_DIR,
  addressOn,
  connectOnLoopback,
  firstFailure,
  readinessUntil,
  stackEnv,
  uniqueName,
  upStack,
  type Stack,
} from './support';

// Scenario 11 (a late or stopped database, and start order) and scenario 12 (ports), from the real
// compose files: network.yml, start-order.yml and ports.yml. The lifecycle steps are the
// `docker compose` commands a reader would type, run with the project's variables in an env file.
// Everything is named with uniqueName() and removed with `down --volumes` in afterAll.

interface Project {
  file: string;
  name: string;
  env: Record<string, string>;
}

const envFiles: string[] = [];

/** `docker compose -p <project> -f compose/<file> ...`, with the suite's variables on top of compose/.env. */
function compose(project: Project, ...args: string[]): string {
  const envFile = join(tmpdir(), `${project.name}.env`);
  if (!envFiles.includes(envFile)) envFiles.push(envFile);
  const lines = Object.entries(stackEnv(project.env)).map(([key, value]) => `${key}=${value}`);
  writeFileSync(envFile, `${lines.join('\n')}\n`);
  return docker(
    'compose', '-p', project.name, '-f', join(COMPOSE_DIR, project.file),
    '--env-file', join(COMPOSE_DIR, '.env'), '--env-file', envFile, '--profile', 'offline', ...args,
  );
}

const startedAt = (container: string): string => inspect(container).State.StartedAt;
/** When MongoDB's healthcheck first passed, from the health log `docker inspect` keeps (its last 5 checks). */
const firstHealthyAt = (container: string): number => {
  const log: { End: string; ExitCode: number }[] = inspect(container).State.Health.Log;
  const passed = log.find((check) => check.ExitCode === 0);
  if (!passed) throw new Error(`${container} has not passed a healthcheck yet: ${JSON.stringify(log)}`);
  return Date.parse(passed.End);
};

const BOTH_CAUSES = [
  '"mongodb" is not a name this container can resolve. Either no running container answers to it (MongoDB is stopped, or not started yet',
  'or the two share no user-defined network',
];

const stopped: Project = { file: 'network.yml', name: uniqueName('stopped'), env: { FAVORITES_NETWORK: uniqueName('net') } };
const late: Project = { file: 'network.yml', name: uniqueName('late'), env: { FAVORITES_NETWORK: uniqueName('net') } };
const early: Project = { file: 'start-order.yml', name: uniqueName('early'), env: { FAVORITES_API_WAITS_FOR: 'service_started' } };
const waits: Project = { file: 'start-order.yml', name: uniqueName('waits'), env: {} };
const ports: Project = { file: 'ports.yml', name: uniqueName('ports'), env: {} };
const projects = [stopped, late, early, waits, ports];

let stoppedStack: Stack | undefined;
let portsStack: Stack | undefined;

beforeAll(async () => {
  for (const project of projects) project.env.FAVORITES_PORT = String(await freePort());
  ports.env.MONGO_HOST_PORT = String(await freePort());
  const [stoppedUp, portsUp] = await Promise.allSettled([
    upStack(stopped.file, { projectName: stopped.name, env: stopped.env }),
    upStack(ports.file, { projectName: ports.name, env: ports.env }),
  ]);
  if (stoppedUp.status === 'fulfilled') stoppedStack = stoppedUp.value;
  if (portsUp.status === 'fulfilled') portsStack = portsUp.value;
  for (const result of [stoppedUp, portsUp]) if (result.status === 'rejected') throw result.reason;
});

afterAll(() => {
  // Every project, whether it came up or not; each step runs even when one before it failed.
  const failures: unknown[] = [];
  for (const project of projects) {
    try {
      compose(project, 'down', '--volumes', '--remove-orphans');
    } catch (error) {
      failures.push(error);
    }
  }
  for (const file of envFiles) rmSync(file, { force: true });
  if (failures.length > 0) throw failures[0];
});

describe('network.yml: MongoDB stopped, then started again', () => {
  const api = () => `${stopped.name}-favorites-1`;
  let apiStartedAt = '';

  it('`docker compose stop mongodb`: /readyz is 503 with ENOTFOUND, and the hint names both causes (not running, or no shared network)', async () => {
    await readinessUntil(stoppedStack!.baseUrl, (s) => s === 200);
    apiStartedAt = startedAt(api());

    compose(stopped, 'stop', 'mongodb');
    const { status, body } = await readinessUntil(stoppedStack!.baseUrl, (s, b) => s === 503 && b.database?.lastError?.code === 'ENOTFOUND');

    expect(status).toBe(503);
    expect(body.database).toMatchObject({ host: 'mongodb', resolvedAddress: null, state: 'disconnected' });
    expect(body.database.lastError?.message).toBe('getaddrinfo ENOTFOUND mongodb');
    for (const cause of BOTH_CAUSES) expect(body.database.hint).toContain(cause);
    expect(inspect(`${stopped.name}-mongodb-1`).State.Status).toBe('exited');
    expect(inspect(api()).State.Status).toBe('running');
    const favorites = await request(stoppedStack!.baseUrl).get('/favorites');
    expect(favorites.status).toBe(503);
    expect(favorites.body.code).toBe('DATABASE_UNAVAILABLE');
  });

  it('`docker compose start mongodb`: the same API container (same StartedAt, no restart) becomes ready', async () => {
    compose(stopped, 'start', 'mongodb');
    const { status, body } = await readinessUntil(stoppedStack!.baseUrl, (s) => s === 200, 60_000);

    expect(status).toBe(200);
    expect(body.database).toMatchObject({ state: 'connected', lastError: null });
    expect(body.database.resolvedAddress).toBe(addressOn(`${stopped.name}-mongodb-1`, stopped.env.FAVORITES_NETWORK));
    expect(startedAt(api())).toBe(apiStartedAt);
    expect(inspect(api()).RestartCount).toBe(0);
  });
});

describe('network.yml: the API started with --no-deps, before MongoDB exists', () => {
  const api = `${late.name}-favorites-1`;
  const baseUrl = () => `http://127.0.0.1:${late.env.FAVORITES_PORT}`;
  let apiStartedAt = '';

  it('`up -d --no-deps favorites` after the credentials one-shot: no MongoDB container, and /readyz is 503 with ENOTFOUND and both causes', async () => {
    compose(late, 'run', '--rm', 'credentials');
    compose(late, 'up', '--detach', '--no-deps', 'favorites');
    apiStartedAt = startedAt(api);

    expect(compose(late, 'ps', '--all', '--format', '{{.Service}} {{.State}}').split('\n')).toEqual(['favorites running']);
    const { status, body } = await firstFailure(baseUrl(), 30_000);

    expect(status).toBe(503);
    expect(body.database).toMatchObject({ host: 'mongodb', resolvedAddress: null });
    expect(body.database.lastError?.code).toBe('ENOTFOUND');
    for (const cause of BOTH_CAUSES) expect(body.database.hint).toContain(cause);
  });

  it('`up -d database-user` starts MongoDB (and makes the API\'s user): the API becomes ready without a restart', async () => {
    compose(late, 'up', '--detach', 'database-user');
    const { status, body } = await readinessUntil(baseUrl(), (s) => s === 200, 60_000);

    expect(status).toBe(200);
    expect(body.database.resolvedAddress).toBe(addressOn(`${late.name}-mongodb-1`, late.env.FAVORITES_NETWORK));
    expect(startedAt(api)).toBe(apiStartedAt);
    expect(inspect(api).RestartCount).toBe(0);
  });
});

describe('start-order.yml: depends_on without and with a health condition', () => {
  it('service_started (the short form): the API starts before MongoDB is healthy, fails first, then becomes ready by itself', async () => {
    compose(early, 'up', '--detach');
    const baseUrl = `http://127.0.0.1:${early.env.FAVORITES_PORT}`;
    const failure = await firstFailure(baseUrl, 30_000);
    const ready = await readinessUntil(baseUrl, (s) => s === 200, 60_000);

    // `up -d` returns once database-user has started, so MongoDB answers by then: what the API last
    // saw is AUTH_FAILED (its user is not made yet), or ECONNREFUSED from an attempt before MongoDB listened.
    expect(failure.status).toBe(503);
    expect(['AUTH_FAILED', 'ECONNREFUSED']).toContain(failure.body.database.lastError?.code);
    expect(ready.body.database.attempts).toBeGreaterThan(1);
    const apiStarted = Date.parse(startedAt(`${early.name}-favorites-1`));
    expect(apiStarted).toBeLessThan(firstHealthyAt(`${early.name}-mongodb-1`));
    expect(apiStarted).toBeGreaterThanOrEqual(Date.parse(startedAt(`${early.name}-mongodb-1`)));
  });

  it('service_healthy: the API starts only after MongoDB\'s first passing healthcheck', async () => {
    compose(waits, 'up', '--detach');
    await readinessUntil(`http://127.0.0.1:${waits.env.FAVORITES_PORT}`, (s) => s === 200, 60_000);

    expect(Date.parse(startedAt(`${waits.name}-favorites-1`))).toBeGreaterThan(firstHealthyAt(`${waits.name}-mongodb-1`));
  });
});

describe('ports.yml: what reaches MongoDB from the host', () => {
  const container = (service: string) => `${ports.name}-${service}-1`;
  /** Another suite may publish a MongoDB of its own on the host's 27017; then all we can check is that it is not ours. */
  const someonePublishes27017 = () =>
    docker('ps', '--format', '{{.Names}} {{.Ports}}').split('\n').some((line) => /(^|[ ,])(127\.0\.0\.1|0\.0\.0\.0|\[::\]|::):27017->/.test(line));

  it('the API reaches the unpublished MongoDB by name: publishing plays no part between containers', async () => {
    const { status, body } = await readinessUntil(portsStack!.baseUrl, (s) => s === 200);

    expect(status).toBe(200);
    expect(body.database.resolvedAddress).toBe(addressOn(container('mongodb'), `${ports.name}_favorites-net`));
  });

  it('an unpublished MongoDB: no binding, `docker port` is empty, and 127.0.0.1:27017 refuses', async () => {
    const { HostConfig, NetworkSettings } = inspect(container('mongodb'));

    expect(HostConfig.PortBindings ?? {}).toEqual({});
    expect(NetworkSettings.Ports).toEqual({ '27017/tcp': null });
    expect(docker('port', container('mongodb'))).toBe('');
    if (!someonePublishes27017()) expect(await connectOnLoopback(27017)).toBe('ECONNREFUSED');
  });

  it('`expose: ["27017"]`: the port is exposed in the config, yet nothing is published', () => {
    const { Config, HostConfig, NetworkSettings } = inspect(container('mongodb-exposed'));

    // Compose 2.26 passes `expose` on as written, "27017" without "/tcp", next to the image's own
    // "27017/tcp"; the engine's port table counts them as one port, unpublished.
    expect(Object.keys(Config.ExposedPorts).sort()).toEqual(['27017', '27017/tcp']);
    expect(HostConfig.PortBindings ?? {}).toEqual({});
    expect(NetworkSettings.Ports).toEqual({ '27017/tcp': null });
    expect(docker('port', container('mongodb-exposed'))).toBe('');
  });

  it('`ports: ["27017"]`: the engine picks a host port, on every host address, and 127.0.0.1 accepts TCP on it', async () => {
    const { HostConfig } = inspect(container('mongodb-random'));
    const published = docker('port', container('mongodb-random'), '27017/tcp').split('\n');
    const port = Number(published[0].split(':').pop());

    expect(HostConfig.PortBindings).toEqual({ '27017/tcp': [{ HostIp: '', HostPort: '' }] });
    // One binding per address family. Usually on the same port; this engine picks each family's
    // port on its own, and under load they have differed ([::] a few ports off).
    expect(published).toEqual([`0.0.0.0:${port}`, expect.stringMatching(/^\[::\]:\d+$/)]);
    expect(port).toBeGreaterThan(1024);
    expect(await connectOnLoopback(port)).toBe('connected');
  });

  it('`127.0.0.1:${MONGO_HOST_PORT}:27017` (for Compass): bound to 127.0.0.1 only, and it accepts TCP there', async () => {
    const port = ports.env.MONGO_HOST_PORT;
    const { HostConfig } = inspect(container('mongodb-compass'));

    expect(HostConfig.PortBindings).toEqual({ '27017/tcp': [{ HostIp: '127.0.0.1', HostPort: port }] });
    expect(docker('port', container('mongodb-compass'))).toBe(`27017/tcp -> 127.0.0.1:${port}`);
    expect(await connectOnLoopback(Number(port))).toBe('connected');
  });
});
