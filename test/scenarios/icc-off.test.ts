import request from 'supertest';
import type { StartedTestContainer } from 'testcontainers';
import { SCENARIOS } from '../../scripts/lib/scenarios';
import { docker, inspect } from '../support/docker';
import { breakContext } from '../support/scenario';
import {
  addressOn,
  apiUrl,
  cleanUp,
  composeCli,
  courseRequestsSucceed,
  firstFailure,
  networksOf,
  readinessUntil,
  signedInApiContainer,
  uniqueName,
  upStack,
  type Stack,
} from '../support/compose';

// compose/icc-off.yml: a bridge with enable_icc=false holds the API and MongoDB. Everything this
// file creates is named with uniqueName(), and removed in afterAll. The stack comes up as
// `node scripts/stack.js icc-off` runs it (the module's env: ICC on); its icc-off break turns ICC off.
const { breaks, env: workingEnv } = SCENARIOS['icc-off'];

/** The stub is cut off on the no-icc bridge: a short deadline, so the 504 comes quickly. */
const ICC_SWAPI_TIMEOUT_MS = 3_000;

const iccProject = uniqueName('icc-off');
const elsewhere = uniqueName('elsewhere'); // a user-defined network of this suite's own, away from MongoDB
let elsewhereCreated = false;
const started: StartedTestContainer[] = []; // started with signedInApiContainer()
let icc: Stack | undefined;

/** A `docker run`-style API with the icc-off stack's credentials. */
const iccApi = (host: string) =>
  signedInApiContainer(host, `${iccProject}_api-credentials`).withName(uniqueName('api'));

beforeAll(async () => {
  icc = await upStack('icc-off.yml', {
    projectName: iccProject,
    env: { ...workingEnv, SWAPI_TIMEOUT_MS: String(ICC_SWAPI_TIMEOUT_MS) },
  });
});

afterAll(() =>
  cleanUp([
    ...started.map((container) => () => container.stop()),
    () => elsewhereCreated && docker('network', 'rm', elsewhere),
    // The whole stack, or whatever part of it exists when it never came up whole.
    () =>
      icc
        ? icc.environment.down()
        : composeCli({ file: 'icc-off.yml', name: iccProject, env: {} }, ['down', '--volumes', '--remove-orphans']),
  ]),
);

describe('icc-off.yml: a bridge with enable_icc=false holds the API and MongoDB', () => {
  const noIcc = `${iccProject}_no-icc`;
  const setup = `${iccProject}_setup`;
  const mongo = `${iccProject}-mongodb-1`;

  it("with ICC on (the module's env, what stack.js runs), /readyz is 200 and the course requests work", async () => {
    expect(
      docker('network', 'inspect', '--format', '{{index .Options "com.docker.network.bridge.enable_icc"}}', noIcc),
    ).toBe('true');

    const { status } = await readinessUntil(icc!.baseUrl, (s) => s === 200);

    expect(status).toBe(200);
    await courseRequestsSucceed(icc!.baseUrl);
  });

  it('"mongodb" resolves, but nothing answers: ETIMEDOUT (the API\'s own timeouts decide), and the hint says isolation, not a stale address', async () => {
    await breaks['icc-off'].run(await breakContext(icc!, 'icc-off'));

    expect(
      docker('network', 'inspect', '--format', '{{index .Options "com.docker.network.bridge.enable_icc"}}', noIcc),
    ).toBe('false');

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

  it("an API on another user-defined network, given MongoDB's address, gets no answer: ETIMEDOUT, out of this container's reach", async () => {
    const address = addressOn(mongo, setup);
    docker('network', 'create', elsewhere);
    elsewhereCreated = true;

    const api = await iccApi(address).withNetworkMode(elsewhere).start();
    started.push(api);
    const { status, body } = await firstFailure(apiUrl(api), 30_000);

    expect(status).toBe(503);
    expect(body.database).toMatchObject({ host: address, resolvedAddress: address });
    expect(body.database.lastError?.code).toBe('ETIMEDOUT');
    expect(body.database.hint).toContain(
      `No answer from ${address}:27017: the address is wrong or stale, or out of this container's reach`,
    );
  });
});
