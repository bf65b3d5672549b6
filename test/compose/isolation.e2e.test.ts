import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import type { StartedTestContainer } from 'testcontainers';
import { docker, images, inspect } from '../support/docker';
import { freePort } from '../support/ports';
import {
  COMPOSE_DIR,
  addressOn,
  apiUrl,
  composeFile,
  firstFailure,
  luke,
  connectOnLoopback,
  readinessUntil,
  signedInApiContainer,
  uniqueName,
  upStack,
  type Stack,
} from './support';

// Two stacks, brought up side by side from the real compose files: compose/internal.yml (the API
// and MongoDB on an internal network) and compose/icc-off.yml (a bridge with enable_icc=false).
// Everything this file creates is named with uniqueName(), and removed in afterAll.

/** Longer than a lookup can take, so /movies answers with the lookup's own error (internal.yml's default too). */
const INTERNAL_SWAPI_TIMEOUT_MS = 12_000;
/** The stub is cut off on the no-icc bridge: a short deadline, so the 504 comes quickly. */
const ICC_SWAPI_TIMEOUT_MS = 3_000;

const internalProject = uniqueName('internal');
const iccProject = uniqueName('icc-off');
const elsewhere = uniqueName('elsewhere'); // a user-defined network of this suite's own, away from MongoDB
let elsewhereCreated = false;
const runContainers: string[] = []; // started with `docker run`
const started: StartedTestContainer[] = []; // started with signedInApiContainer()
let internal: Stack | undefined;
let icc: Stack | undefined;

const networksOf = (container: string) => Object.keys(inspect(container).NetworkSettings.Networks).sort();

/** A `docker run`-style API with the icc-off stack's credentials. */
const iccApi = (host: string) => signedInApiContainer(host, `${iccProject}_api-credentials`).withName(uniqueName('api'));

beforeAll(async () => {
  const [internalUp, iccUp] = await Promise.allSettled([
    upStack('internal.yml', { projectName: internalProject, env: { SWAPI_TIMEOUT_MS: String(INTERNAL_SWAPI_TIMEOUT_MS) } }),
    upStack('icc-off.yml', { projectName: iccProject, env: { SWAPI_TIMEOUT_MS: String(ICC_SWAPI_TIMEOUT_MS) } }),
  ]);
  if (internalUp.status === 'fulfilled') internal = internalUp.value;
  if (iccUp.status === 'fulfilled') icc = iccUp.value;
  for (const result of [internalUp, iccUp]) if (result.status === 'rejected') throw result.reason;
});

afterAll(async () => {
  // Each step runs even when one before it failed; the first failure is reported at the end.
  const failures: unknown[] = [];
  const attempt = async (step: () => unknown) => {
    try {
      await step();
    } catch (error) {
      failures.push(error);
    }
  };
  await Promise.all(started.map((container) => attempt(() => container.stop())));
  for (const container of runContainers) await attempt(() => docker('rm', '--force', '--volumes', container));
  if (elsewhereCreated) await attempt(() => docker('network', 'rm', elsewhere));
  const down = (file: string, projectName: string, stack: Stack | undefined) =>
    attempt(async () => {
      if (stack) return void (await stack.environment.down());
      // The stack never came up whole: remove whatever part of it exists.
      docker('compose', '-p', projectName, '-f', join(COMPOSE_DIR, file), '--profile', 'offline', 'down', '--volumes', '--remove-orphans');
    });
  await Promise.all([down('internal.yml', internalProject, internal), down('icc-off.yml', iccProject, icc)]);
  if (failures.length > 0) throw failures[0];
});

describe('internal.yml: the API and MongoDB on an internal network', () => {
  const back = `${internalProject}_back`;
  const api = `${internalProject}-favorites-1`;

  it('favorites work: /readyz is 200 through the entrance, and a favorite is saved and listed', async () => {
    const { status, body } = await readinessUntil(internal!.baseUrl, (s) => s === 200);

    expect(status).toBe(200);
    expect(body.database).toMatchObject({ host: 'mongodb', state: 'connected', lastError: null });
    expect(body.database.resolvedAddress).toBe(addressOn(`${internalProject}-mongodb-1`, back));
    const saved = await request(internal!.baseUrl).post('/favorites').send(luke);
    expect(saved.status).toBe(201);
    const listed = await request(internal!.baseUrl).get('/favorites');
    expect(listed.body.favorites).toEqual([expect.objectContaining(luke)]);
  });

  it('the back network is internal, the API is on it alone, and its container has no route out (no default route)', () => {
    expect(docker('network', 'inspect', '--format', '{{.Internal}}', back)).toBe('true');
    expect(networksOf(api)).toEqual([back]);
    expect(networksOf(`${internalProject}-mongodb-1`)).toEqual([back]);
    expect(networksOf(`${internalProject}-entrance-1`)).toEqual([`${internalProject}_front`, back].sort());
    // /proc/net/route: one on-link route for the network's own subnet, and no 00000000 destination.
    const routes = docker('exec', api, 'cat', '/proc/net/route').split('\n').slice(1).map((line) => line.split(/\s+/));
    expect(routes).toHaveLength(1);
    expect(routes[0][1]).not.toBe('00000000');
    expect(routes[0][2]).toBe('00000000'); // no gateway
    // Its resolver is Docker's DNS, which forwards no outside name for a container on internal networks only.
    expect(docker('exec', api, 'cat', '/etc/resolv.conf')).toMatch(/^nameserver 127\.0\.0\.11$/m);
  });

  it('a container on the internal network and a normal one (the entrance) does get a default route out, through the normal one', () => {
    // Why the API is not on `front` itself: then it would have a way out, and its lookups would leave. Read only, no traffic.
    const routes = docker('exec', `${internalProject}-entrance-1`, 'cat', '/proc/net/route').split('\n').slice(1).map((line) => line.split(/\s+/));
    const defaults = routes.filter((route) => route[1] === '00000000');

    expect(defaults).toHaveLength(1);
    expect(defaults[0][2]).not.toBe('00000000');
  });

  it('/movies against swapi.dev fails at once: 502 SWAPI_UNAVAILABLE, EAI_AGAIN, and the message says nothing leaves an internal network', async () => {
    const startedAt = Date.now();
    const movies = await request(internal!.baseUrl).get('/movies');
    const tookMs = Date.now() - startedAt;

    expect(movies.status).toBe(502);
    expect(movies.body).toEqual({
      code: 'SWAPI_UNAVAILABLE',
      message:
        'Could not fetch films from SWAPI (EAI_AGAIN): no DNS server could look up "swapi.dev". On an internal network ' +
        '(internal: true) nothing leaves it, not even name lookups: give the API a SWAPI inside that network ' +
        '(SWAPI_BASE_URL or SWAPI_MIRRORS), or a network with a way out. Elsewhere: is a DNS server reachable from here, ' +
        'or is this machine offline?',
      requestId: expect.any(String),
    });
    // Docker's DNS refuses the lookup at once here (not the ~10 s of a resolver that never answers): well inside the deadline.
    expect(tookMs).toBeLessThan(3000);
  });

  it('a container on the internal network alone that publishes a port: the engine accepts it and publishes nothing', async () => {
    const port = await freePort();
    const name = uniqueName('unpublished');
    runContainers.push(name);
    docker('run', '--detach', '--name', name, '--network', back, '--publish', `127.0.0.1:${port}:3000`, '--env', 'MONGODB_HOST=mongodb', images.api);

    const container = inspect(name);
    expect(container.HostConfig.PortBindings).toEqual({ '3000/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] });
    expect(container.NetworkSettings.Ports).toEqual({});
    expect(docker('port', name)).toBe('');
    // No docker-proxy listens for it either: the host's own loopback refuses the port.
    expect(await connectOnLoopback(port)).toBe('ECONNREFUSED');
  });

  it('the host is on the internal network too: its bridge holds the network\'s gateway address (traffic to it is not tested)', () => {
    const [{ Id, IPAM }] = JSON.parse(docker('network', 'inspect', back));
    const bridge = networkInterfaces()[`br-${Id.slice(0, 12)}`] ?? [];

    expect(bridge.map((address) => address.address)).toContain(IPAM.Config[0].Gateway);
  });

  it('the fix: with a SWAPI inside the network (the stub, as SWAPI_MIRRORS), /movies works', async () => {
    const port = new URL(internal!.baseUrl).port;
    await composeFile('internal.yml', internalProject, {
      FAVORITES_PORT: port,
      SWAPI_TIMEOUT_MS: String(INTERNAL_SWAPI_TIMEOUT_MS),
      SWAPI_MIRRORS: 'http://swapi-stub:8080/api',
    }).up(['favorites']);

    await readinessUntil(internal!.baseUrl, (s) => s === 200);
    const movies = await request(internal!.baseUrl).get('/movies');
    expect(movies.status).toBe(200);
    expect(movies.body.movies.results.map((film: { title: string }) => film.title)).toContain('A New Hope');
  });
});

describe('icc-off.yml: a bridge with enable_icc=false holds the API and MongoDB', () => {
  const noIcc = `${iccProject}_no-icc`;
  const setup = `${iccProject}_setup`;
  const mongo = `${iccProject}-mongodb-1`;

  it('"mongodb" resolves, but nothing answers: ETIMEDOUT (the API\'s own timeouts decide), and the hint says isolation, not a stale address', async () => {
    expect(docker('network', 'inspect', '--format', '{{index .Options "com.docker.network.bridge.enable_icc"}}', noIcc)).toBe('false');

    const { status, body } = await firstFailure(icc!.baseUrl, 30_000);

    const address = addressOn(mongo, noIcc);
    expect(status).toBe(503);
    expect(body.database).toMatchObject({ host: 'mongodb', resolvedAddress: address });
    expect(body.database.lastError?.code).toBe('ETIMEDOUT');
    expect(body.database.hint).toContain(`"mongodb" resolves (to ${address}) but is unreachable: isolation`);
    expect(body.database.hint).toContain('enable_icc=false');
    expect(body.database.hint).not.toContain('stale');
  });

  it('/favorites answers 503 with that hint, and /movies from the stub on the same bridge times out: 504 within SWAPI_TIMEOUT_MS', async () => {
    const favorites = await request(icc!.baseUrl).get('/favorites');
    expect(favorites.status).toBe(503);
    expect(favorites.body.code).toBe('DATABASE_UNAVAILABLE');

    const startedAt = Date.now();
    const movies = await request(icc!.baseUrl).get('/movies');
    const tookMs = Date.now() - startedAt;
    expect(movies.status).toBe(504);
    expect(movies.body.code).toBe('SWAPI_TIMEOUT');
    expect(tookMs).toBeGreaterThanOrEqual(ICC_SWAPI_TIMEOUT_MS - 100);
    expect(tookMs).toBeLessThan(ICC_SWAPI_TIMEOUT_MS + 2000);
  });

  it('over the normal setup network the same MongoDB answers: database-user ran, and an API there is ready by name', async () => {
    expect(inspect(`${iccProject}-database-user-1`).State.ExitCode).toBe(0);
    expect(networksOf(`${iccProject}-database-user-1`)).toEqual([setup]);

    const api = await iccApi('mongodb').withNetworkMode(setup).start();
    started.push(api);
    const { status, body } = await readinessUntil(apiUrl(api), (s) => s === 200);

    expect(status).toBe(200);
    expect(body.database.resolvedAddress).toBe(addressOn(mongo, setup));
  });

  it('an API on another user-defined network, given MongoDB\'s address, gets no answer: ETIMEDOUT, out of this container\'s reach', async () => {
    const address = addressOn(mongo, setup);
    docker('network', 'create', elsewhere);
    elsewhereCreated = true;

    const api = await iccApi(address).withNetworkMode(elsewhere).start();
    started.push(api);
    const { status, body } = await firstFailure(apiUrl(api), 30_000);

    expect(status).toBe(503);
    expect(body.database).toMatchObject({ host: address, resolvedAddress: address });
    expect(body.database.lastError?.code).toBe('ETIMEDOUT');
    expect(body.database.hint).toContain(`No answer from ${address}:27017: the address is wrong or stale, or out of this container's reach`);
  });
});
