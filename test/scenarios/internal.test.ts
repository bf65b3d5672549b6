import { networkInterfaces } from 'node:os';
import request from 'supertest';
import { SCENARIOS } from '../../scripts/lib/scenarios';
import { docker, images, inspect } from '../support/docker';
import { breakContext } from '../support/scenario';
import { freePort } from '../support/ports';
import {
  addressOn,
  cleanUp,
  composeCli,
  connectOnLoopback,
  luke,
  networksOf,
  readinessUntil,
  uniqueName,
  upStack,
  type Stack,
} from '../support/compose';

// compose/internal.yml: the API and MongoDB on an internal network. Everything this file creates is
// named with uniqueName(), and removed in afterAll. The stack comes up as `node scripts/stack.js internal`
// runs it (the module's env: the stub inside as a SWAPI mirror); the failure is its outside-swapi break.
const { breaks, env: workingEnv } = SCENARIOS.internal;

/** Longer than a lookup can take, so /movies answers with the lookup's own error (internal.yml's default too). */
const INTERNAL_SWAPI_TIMEOUT_MS = 12_000;

const internalProject = uniqueName('internal');
const runContainers: string[] = []; // started with `docker run`
let internal: Stack | undefined;

beforeAll(async () => {
  internal = await upStack('internal.yml', {
    projectName: internalProject,
    env: { ...workingEnv, SWAPI_TIMEOUT_MS: String(INTERNAL_SWAPI_TIMEOUT_MS) },
  });
});

afterAll(() =>
  cleanUp([
    ...runContainers.map((container) => () => docker('rm', '--force', '--volumes', container)),
    // The whole stack, or whatever part of it exists when it never came up whole.
    () =>
      internal
        ? internal.environment.down()
        : composeCli({ file: 'internal.yml', name: internalProject, env: {} }, [
            'down',
            '--volumes',
            '--remove-orphans',
          ]),
  ]),
);

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
    const routes = docker('exec', api, 'cat', '/proc/net/route')
      .split('\n')
      .slice(1)
      .map((line) => line.split(/\s+/));
    expect(routes).toHaveLength(1);
    expect(routes[0][1]).not.toBe('00000000');
    expect(routes[0][2]).toBe('00000000'); // no gateway
    // Its resolver is Docker's DNS, which forwards no outside name for a container on internal networks only.
    expect(docker('exec', api, 'cat', '/etc/resolv.conf')).toMatch(/^nameserver 127\.0\.0\.11$/m);
  });

  it('a container on the internal network and a normal one (the entrance) does get a default route out, through the normal one', () => {
    // Why the API is not on `front` itself: then it would have a way out, and its lookups would leave. Read only, no traffic.
    const routes = docker('exec', `${internalProject}-entrance-1`, 'cat', '/proc/net/route')
      .split('\n')
      .slice(1)
      .map((line) => line.split(/\s+/));
    const defaults = routes.filter((route) => route[1] === '00000000');

    expect(defaults).toHaveLength(1);
    expect(defaults[0][2]).not.toBe('00000000');
  });

  it('/movies against swapi.dev fails at once: 502 SWAPI_UNAVAILABLE, EAI_AGAIN, and the message says nothing leaves an internal network', async () => {
    const ctx = await breakContext(internal!, 'internal');
    await breaks['outside-swapi'].run(ctx);

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
    // What `node scripts/stack.js internal --break outside-swapi` shows: the same answer.
    expect(await breaks['outside-swapi'].show(ctx, undefined)).toMatch(
      /\/movies\n502 \{.*"SWAPI_UNAVAILABLE".*EAI_AGAIN/,
    );
  });

  it('a container on the internal network alone that publishes a port: the engine accepts it and publishes nothing', async () => {
    const port = await freePort();
    const name = uniqueName('unpublished');
    runContainers.push(name);
    docker(
      'run',
      '--detach',
      '--name',
      name,
      '--network',
      back,
      '--publish',
      `127.0.0.1:${port}:3000`,
      '--env',
      'MONGODB_HOST=mongodb',
      images.api,
    );

    const container = inspect(name);
    expect(container.HostConfig.PortBindings).toEqual({
      '3000/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }],
    });
    expect(container.NetworkSettings.Ports).toEqual({});
    expect(docker('port', name)).toBe('');
    // No docker-proxy listens for it either: the host's own loopback refuses the port.
    expect(await connectOnLoopback(port)).toBe('ECONNREFUSED');
  });

  it("the host is on the internal network too: its bridge holds the network's gateway address (traffic to it is not tested)", () => {
    const [{ Id, IPAM }] = JSON.parse(docker('network', 'inspect', back));
    const bridge = networkInterfaces()[`br-${Id.slice(0, 12)}`] ?? [];

    expect(bridge.map((address) => address.address)).toContain(IPAM.Config[0].Gateway);
  });

  it('the fix: with a SWAPI inside the network (the stub, as SWAPI_MIRRORS), /movies works', async () => {
    const port = new URL(internal!.baseUrl).port;
    // Waits for the API's own healthcheck and then /readyz through the entrance, not for the
    // entrance's healthcheck: that one fails while the API is recreated, and may read unhealthy then.
    composeCli(
      { file: 'internal.yml', name: internalProject, env: { FAVORITES_PORT: port } },
      ['up', '--detach', '--wait', 'favorites'],
      {
        SWAPI_TIMEOUT_MS: String(INTERNAL_SWAPI_TIMEOUT_MS),
        SWAPI_MIRRORS: 'http://swapi-stub:8080/api',
      },
    );

    await readinessUntil(internal!.baseUrl, (s) => s === 200);
    const movies = await request(internal!.baseUrl).get('/movies');
    expect(movies.status).toBe(200);
    expect(movies.body.movies.results.map((film: { title: string }) => film.title)).toContain('A New Hope');
  });
});
