/**
 * Runs alone (test/support/engine-lock.ts): it removes a MongoDB from the default bridge and proves
 * that the API then times out on its old address. The default bridge gives a freed address to the
 * next container at once, so another suite's container there (an integration suite's MongoDB, say)
 * would answer at that address instead.
 * @engine-wide
 */
import request from 'supertest';
import type { StartedTestContainer } from 'testcontainers';
import { mongoContainer } from '../support/mongo-server';
import { STALE_IP_CODES, STALE_IP_HINT, staleAddressDiagnosis } from '../support/stale-address';
import { addressOn, apiContainer, apiUrl, luke, readinessUntil, uniqueName } from '../support/compose';

// compose/ip.yml's lesson told with the course's `docker run` steps, outside any compose file: an
// API given MongoDB's address on the default bridge, which it keeps when that MongoDB goes.
const started: StartedTestContainer[] = [];

afterAll(async () => {
  await Promise.allSettled(started.map((container) => container.stop()));
});

describe("the course's `docker run` steps: the API given MongoDB's address on the default bridge", () => {
  let mongo: StartedTestContainer;
  let mongoIp: string;
  let api: StartedTestContainer;

  beforeAll(async () => {
    // `docker run -d mongo` (no --network, no published port), then `docker inspect` for its address.
    mongo = await mongoContainer().withName(uniqueName('ip-mongo')).start();
    started.push(mongo);
    mongoIp = addressOn(mongo.getId(), 'bridge');

    api = await apiContainer({ MONGODB_HOST: mongoIp, SWAPI_BASE_URL: 'http://127.0.0.1:9/api' })
      .withName(uniqueName('ip-api'))
      .start();
    started.push(api);
  });

  it('when the API is started with the address docker inspect shows, /readyz is 200 and favorites round-trip', async () => {
    expect(mongoIp).toBe(mongo.getIpAddress('bridge'));

    const { status, body } = await readinessUntil(apiUrl(api), (s) => s === 200);
    const saved = await request(apiUrl(api)).post('/favorites').send(luke);
    const listed = await request(apiUrl(api)).get('/favorites');

    expect(status).toBe(200);
    expect(body.database).toMatchObject({ host: mongoIp, resolvedAddress: mongoIp, state: 'connected' });
    expect(saved.status).toBe(201);
    expect(listed.status).toBe(200);
    expect(listed.body.favorites).toEqual([expect.objectContaining(luke)]);
  });

  it(`when the MongoDB container is removed, the API reports the stale address: 503 with a timeout (${STALE_IP_CODES.join(' or ')}) and the stale-IP hint`, async () => {
    await mongo.stop();
    started.splice(started.indexOf(mongo), 1);

    const { status, body } = await staleAddressDiagnosis(apiUrl(api));

    expect(status).toBe(503);
    expect(body.database).toMatchObject({ host: mongoIp, resolvedAddress: mongoIp });
    expect(STALE_IP_CODES).toContain(body.database.lastError?.code);
    expect(body.database.hint).toContain(STALE_IP_HINT);
  });
});
