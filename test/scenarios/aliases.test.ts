import request from 'supertest';
import type { StartedTestContainer } from 'testcontainers';
import { SCENARIOS } from '../../scripts/lib/scenarios';
import { docker } from '../support/docker';
import { freePort } from '../support/ports';
import {
  addressOn,
  apiUrl,
  courseRequestsSucceed,
  firstFailure,
  lookUp,
  luke,
  readinessUntil,
  signedInApiContainer,
  upStack,
  type Stack,
} from '../support/compose';
import { breakContext } from '../support/scenario';

const { breaks } = SCENARIOS.aliases;

// One stack for the whole file, from the real compose/aliases.yml: two networks, team-a and team-b,
// each with a MongoDB answering to the alias `database` (team A's also to `db`), and one API per team.
let stack: Stack;
let portA: string;
let portB: string;
let baseA: string;
let baseB: string;
const started: StartedTestContainer[] = [];

const container = (service: string) => `${stack.projectName}-${service}-1`;
const network = (team: 'a' | 'b') => `${stack.projectName}_team-${team}`;
const names = (favorites: { name: string }[]) => favorites.map((favorite) => favorite.name);
const leia = { type: 'character', name: 'Leia Organa', url: 'https://swapi.dev/api/people/5/' };

beforeAll(async () => {
  portA = String(await freePort());
  do portB = String(await freePort());
  while (portB === portA);
  stack = await upStack('aliases.yml', { env: { FAVORITES_PORT: portA, FAVORITES_B_PORT: portB } });
  baseA = stack.baseUrl;
  baseB = `http://127.0.0.1:${portB}`;
});

afterAll(async () => {
  // A container still attached to team-a would keep `down` from removing the network.
  await Promise.allSettled(started.map((api) => api.stop()));
  await stack?.environment.down();
});

describe('aliases.yml: one alias, two networks, two databases', () => {
  it('when each API asks for "database", each is ready, at the address its own team\'s MongoDB has on its own network', async () => {
    const [a, b] = await Promise.all([
      readinessUntil(baseA, (s) => s === 200),
      readinessUntil(baseB, (s) => s === 200),
    ]);

    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(a.body.database).toMatchObject({
      host: 'database',
      state: 'connected',
      lastError: null,
      resolvedAddress: addressOn(container('mongodb-a'), network('a')),
    });
    expect(b.body.database).toMatchObject({
      host: 'database',
      state: 'connected',
      lastError: null,
      resolvedAddress: addressOn(container('mongodb-b'), network('b')),
    });
    expect(a.body.database.resolvedAddress).not.toBe(b.body.database.resolvedAddress);
  });

  it("when a favorite is saved through team A's API, team B's API does not have it, and can save the same one itself (201, not 409)", async () => {
    await courseRequestsSucceed(baseA, luke);

    const listedB = await request(baseB).get('/favorites');
    expect(listedB.status).toBe(200);
    expect(names(listedB.body.favorites)).not.toContain(luke.name);

    const savedB = await request(baseB).post('/favorites').send(luke);
    expect(savedB.status).toBe(201);
  });

  it("each MongoDB is on its own team's network only, and neither publishes a port", () => {
    const networksOf = (service: string) =>
      docker(
        'inspect',
        '--format',
        '{{range $name, $_ := .NetworkSettings.Networks}}{{$name}} {{end}}',
        container(service),
      ).trim();

    expect(networksOf('mongodb-a')).toBe(network('a'));
    expect(networksOf('mongodb-b')).toBe(network('b'));
    expect(docker('port', container('mongodb-a'))).toBe('');
    expect(docker('port', container('mongodb-b'))).toBe('');
  });
});

describe('aliases.yml: one container, several aliases, each on its own network', () => {
  it('on team-a, "db" and "database" both resolve to team A\'s MongoDB (getent exits 0)', () => {
    const mongoA = addressOn(container('mongodb-a'), network('a'));

    expect(lookUp(network('a'), 'database')).toEqual({ exitCode: 0, addresses: [mongoA] });
    expect(lookUp(network('a'), 'db')).toEqual({ exitCode: 0, addresses: [mongoA] });
  });

  it('on team-b, "database" resolves to team B\'s MongoDB, and "db" does not resolve at all (getent exits 2)', () => {
    expect(lookUp(network('b'), 'database')).toEqual({
      exitCode: 0,
      addresses: [addressOn(container('mongodb-b'), network('b'))],
    });
    expect(lookUp(network('b'), 'db')).toEqual({ exitCode: 2, addresses: [] });
  });

  it('when an API on team-a is given the second alias, "db", it is ready at team A\'s MongoDB, and what it saves is in team A\'s database', async () => {
    // The course's `docker run` step, with team A's API credentials (its volume, read-only).
    const api = await signedInApiContainer('db', `${stack.projectName}_api-a-credentials`)
      .withNetworkMode(network('a'))
      .start();
    started.push(api);

    const { status, body } = await readinessUntil(apiUrl(api), (s) => s === 200);
    expect(status).toBe(200);
    expect(body.database).toMatchObject({
      host: 'db',
      resolvedAddress: addressOn(container('mongodb-a'), network('a')),
    });

    expect((await request(apiUrl(api)).post('/favorites').send(leia)).status).toBe(201);
    expect(names((await request(baseA).get('/favorites')).body.favorites)).toContain(leia.name);
    expect(names((await request(baseB).get('/favorites')).body.favorites)).not.toContain(leia.name);
  });
});

describe('aliases.yml with FAVORITES_B_MONGODB_HOST=db', () => {
  it('when team B\'s API is told to use "db", an alias of team-a only, it does not resolve: ENOTFOUND, while team A stays ready', async () => {
    // `node scripts/stack.js aliases --break foreign-alias`:
    // `FAVORITES_B_MONGODB_HOST=db docker compose -f compose/aliases.yml up -d favorites-b`, on the suite's stack.
    await breaks['foreign-alias'].run(await breakContext(stack, 'aliases', { sparePort: Number(portB) }));

    const { status, body } = await firstFailure(baseB, 30_000);

    expect(status).toBe(503);
    expect(body.database).toMatchObject({ host: 'db', resolvedAddress: null });
    expect(body.database.lastError?.code).toBe('ENOTFOUND');
    expect(body.database.hint).toContain('"db" is not a name this container can resolve');
    expect(body.database.hint).toContain('names resolve only between containers on the same one');
    expect(body.database.hint).toContain('check that the name matches the MongoDB service, container or alias');
    const favoritesB = await request(baseB).get('/favorites');
    expect(favoritesB.status).toBe(503);
    expect(favoritesB.body.code).toBe('DATABASE_UNAVAILABLE');
    expect((await request(baseA).get('/readyz')).status).toBe(200);
  });
});
