import request from 'supertest';
import type { StartedTestContainer } from 'testcontainers';
import { SCENARIOS } from '../../scripts/lib/scenarios';
import { docker } from '../support/docker';
import {
  addressOn,
  apiUrl,
  connectOnLoopback,
  courseRequestsSucceed,
  firstFailure,
  lookUp,
  readinessUntil,
  signedInApiContainer,
  upStack,
  type Stack,
} from '../support/compose';
import { breakContext, removeBreakContainers } from '../support/scenario';

const { breaks } = SCENARIOS.segmented;

// One stack for the whole file, from the real compose/segmented.yml: the API on `front` and
// `back`, MongoDB on `back` only, the SWAPI stub on `front` only, and one published port, the API's.
let stack: Stack;
const started: StartedTestContainer[] = [];

const container = (service: string) => `${stack.projectName}-${service}-1`;
const network = (name: 'front' | 'back') => `${stack.projectName}_${name}`;
const networksOf = (service: string) =>
  docker('inspect', '--format', '{{range $name, $_ := .NetworkSettings.Networks}}{{$name}} {{end}}', container(service))
    .trim()
    .split(' ')
    .sort();

beforeAll(async () => {
  stack = await upStack('segmented.yml');
});

afterAll(async () => {
  // A probe still attached to front or back would keep `down` from removing the network, and the
  // break's API, which mounts the stack's credentials, `down -v` from removing that volume.
  if (stack) removeBreakContainers({ project: stack.projectName }, 'segmented');
  await Promise.allSettled(started.map((api) => api.stop()));
  await stack?.environment.down();
});

describe('segmented.yml: the API bridges front and back', () => {
  it("when the API is on both networks, /readyz is 200 at MongoDB's back address, and the course requests work through its published port", async () => {
    const { status, body } = await readinessUntil(stack.baseUrl, (s) => s === 200);

    expect(status).toBe(200);
    expect(body.database).toMatchObject({
      host: 'mongodb',
      state: 'connected',
      lastError: null,
      resolvedAddress: addressOn(container('mongodb'), network('back')),
    });
    await courseRequestsSucceed(stack.baseUrl);
  });

  it('the API is on front and back, MongoDB on back only, the stub on front only; only the API publishes a port, on loopback', () => {
    expect(networksOf('favorites')).toEqual([network('back'), network('front')]);
    expect(networksOf('mongodb')).toEqual([network('back')]);
    expect(networksOf('swapi-stub')).toEqual([network('front')]);

    expect(docker('port', container('favorites'))).toBe(`3000/tcp -> 127.0.0.1:${new URL(stack.baseUrl).port}`);
    expect(docker('port', container('mongodb'))).toBe('');
    expect(docker('port', container('swapi-stub'))).toBe('');
  });
});

describe('segmented.yml: from the front network, MongoDB is out of reach', () => {
  let mongoBackAddress: string;
  let byName: string;
  let byAddress: StartedTestContainer;
  let byAddressOnBack: StartedTestContainer;

  // Three API containers, the course's `docker run` way, with the stack's API credentials: two
  // probes on front (by name, by address) and, as the control, the same address asked from back.
  // The one by name is `node scripts/stack.js segmented --break front-only`, on the spare port.
  beforeAll(async () => {
    mongoBackAddress = addressOn(container('mongodb'), network('back'));
    const ctx = await breakContext(stack, 'segmented');
    await breaks['front-only'].run(ctx);
    byName = `http://127.0.0.1:${ctx.sparePort}`;
    const probe = (host: string, on: 'front' | 'back') =>
      signedInApiContainer(host, `${stack.projectName}_api-credentials`)
        .withNetworkMode(network(on))
        .start()
        .then((api) => (started.push(api), api));
    [byAddress, byAddressOnBack] = await Promise.all([
      probe(mongoBackAddress, 'front'),
      probe(mongoBackAddress, 'back'),
    ]);
  });

  it('on front, "mongodb" does not resolve (getent exits 2), while "favorites" does', () => {
    expect(lookUp(network('front'), 'mongodb')).toEqual({ exitCode: 2, addresses: [] });
    expect(lookUp(network('front'), 'favorites')).toEqual({
      exitCode: 0,
      addresses: [addressOn(container('favorites'), network('front'))],
    });
  });

  it('when an API on front asks for "mongodb", the name does not resolve: ENOTFOUND', async () => {
    const { status, body } = await firstFailure(byName, 30_000);

    expect(status).toBe(503);
    expect(body.database).toMatchObject({ host: 'mongodb', resolvedAddress: null });
    expect(body.database.lastError?.code).toBe('ENOTFOUND');
    expect(body.database.hint).toContain('"mongodb" is not a name this container can resolve');
    expect(body.database.hint).toContain('Put the API and MongoDB on one network');
  });

  it('when an API on front is given MongoDB\'s back address, nothing answers: ETIMEDOUT or EHOSTUNREACH, "out of this container\'s reach"', async () => {
    // Docker drops traffic between two bridge networks: no RST, no ICMP, so the API's own 2 s timeout decides.
    const { status, body } = await readinessUntil(
      apiUrl(byAddress),
      (s, b) => s === 503 && ['ETIMEDOUT', 'EHOSTUNREACH'].includes(b.database?.lastError?.code ?? ''),
      30_000,
    );

    expect(status).toBe(503);
    expect(body.database).toMatchObject({ host: mongoBackAddress, resolvedAddress: mongoBackAddress });
    expect(body.database.hint).toContain(
      `No answer from ${mongoBackAddress}:27017: the address is wrong or stale, or out of this container's reach`,
    );
    expect(body.database.hint).toContain('a container can reach only the networks it is attached to');
    const favorites = await request(apiUrl(byAddress)).get('/favorites');
    expect(favorites.status).toBe(503);
    expect(favorites.body.code).toBe('DATABASE_UNAVAILABLE');
  });

  it('when the same API is started on back instead, the same address answers: /readyz is 200', async () => {
    const { status, body } = await readinessUntil(apiUrl(byAddressOnBack), (s) => s === 200);

    expect(status).toBe(200);
    expect(body.database).toMatchObject({ host: mongoBackAddress, state: 'connected', lastError: null });
  });
});

describe("segmented.yml: the host can't reach MongoDB", () => {
  it('MongoDB has no port binding: `docker port` is empty, though its image exposes 27017', () => {
    const [{ Config, HostConfig, NetworkSettings }] = JSON.parse(docker('inspect', container('mongodb')));

    expect(Object.keys(Config.ExposedPorts ?? {})).toEqual(['27017/tcp']);
    expect(HostConfig.PortBindings ?? {}).toEqual({});
    expect(NetworkSettings.Ports).toEqual({ '27017/tcp': null });
    expect(docker('port', container('mongodb'))).toBe('');
  });

  it("a TCP connect from the host to 127.0.0.1:27017 is refused, while the API's published port accepts", async () => {
    // Another suite running now may publish a MongoDB of its own on the host's 27017: then that
    // one answers, and all this test can check is that it is not ours.
    const publishers = docker('ps', '--format', '{{.Label "com.docker.compose.project"}} {{.Names}} {{.Ports}}')
      .split('\n')
      .filter((line) => /(^|[ ,])(127\.0\.0\.1|0\.0\.0\.0|\[::\]|::):27017->/.test(line));

    expect(publishers.filter((line) => line.includes(stack.projectName))).toEqual([]);
    if (publishers.length === 0) expect(await connectOnLoopback(27017)).toBe('ECONNREFUSED');
    expect(await connectOnLoopback(Number(new URL(stack.baseUrl).port))).toBe('connected');
  });
});
