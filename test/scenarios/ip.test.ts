import { randomInt } from 'node:crypto';
import request from 'supertest';
import type { StartedTestContainer } from 'testcontainers';
import { docker as runDocker } from '../../scripts/lib/engine';
import { SCENARIOS } from '../../scripts/lib/scenarios';
import { docker } from '../support/docker';
import { mongoContainer } from '../support/mongo-server';
import { breakContext } from '../support/scenario';
import {
  apiContainer,
  apiUrl,
  courseRequestsSucceed,
  luke,
  readinessUntil,
  uniqueName,
  upStack,
  type Stack,
  inspectFormat,
  addressOn,
} from '../support/compose';

/** A 172.29.x.0/24 that no existing Docker network uses, so a parallel suite's stack cannot clash. */
function freeSubnetPrefix(): string {
  // One network at a time: one may go between `ls` and `inspect` (a parallel suite, or leaving the swarm).
  const used = docker('network', 'ls', '-q')
    .split('\n')
    .map(
      (network) =>
        runDocker(['network', 'inspect', '--format', '{{range .IPAM.Config}}{{.Subnet}} {{end}}', network]).stdout,
    )
    .join(' ');
  const free = [...Array(256).keys()]
    .map((octet) => `172.29.${octet}`)
    .filter((prefix) => !used.includes(`${prefix}.`));
  return free[randomInt(free.length)];
}

const { breaks } = SCENARIOS.ip;
const prefix = freeSubnetPrefix();
const FAVORITES_SUBNET = `${prefix}.0/24`;
const MONGO_IP = `${prefix}.10`;
const DRIFTED_MONGO_IP = `${prefix}.20`;
const STALE_IP_HINT = 'Container IPs change when containers are recreated';

/**
 * The codes /readyz gives while the API dials an address nobody holds any more; both get the stale-IP hint.
 * Every run here saw ETIMEDOUT first: packets to the old address go nowhere (no RST, no ICMP), so
 * the API's own 2 s ping timeout fires before anything else. Later attempts can fail with
 * EHOSTUNREACH instead, once the kernel's ARP entry for the old address has failed (~3 s per attempt).
 * Not a timeout: for ~40 ms between MongoDB's process dying and Docker removing its network
 * interface, the old address still answers with a RST. If the driver's monitor (it polls every 2 s:
 * FerretDB has no streaming hello) reconnects inside that window (~2% of runs), /readyz says
 * ECONNREFUSED until the monitor's next check times out (2 s later). So the tests wait for a
 * timeout-type diagnosis rather than taking the first one.
 */
const STALE_IP_CODES = ['ETIMEDOUT', 'EHOSTUNREACH'];
const staleAddressDiagnosis = (baseUrl: string) =>
  readinessUntil(
    baseUrl,
    (status, body) => status === 503 && STALE_IP_CODES.includes(body.database?.lastError?.code ?? ''),
    45_000,
  );

let stack: Stack | undefined;
const started: StartedTestContainer[] = [];

afterAll(async () => {
  await Promise.allSettled(started.map((container) => container.stop()));
  if (!stack) return;
  // Compose hands the anonymous volumes of a recreated container (the official mongo image has one
  // for /data/configdb) on to its replacement as explicit mounts, and `down -v` then leaves them
  // behind: note the volumes and remove what is left.
  const volumes = docker('ps', '-aq', '--filter', `label=com.docker.compose.project=${stack.projectName}`)
    .split('\n')
    .filter(Boolean)
    .flatMap((id) =>
      inspectFormat(id, '{{range .Mounts}}{{if eq .Type "volume"}}{{.Name}} {{end}}{{end}}').split(' ').filter(Boolean),
    );
  await stack.environment.down();
  const left = docker('volume', 'ls', '-q')
    .split('\n')
    .filter((volume) => volumes.includes(volume));
  if (left.length > 0) docker('volume', 'rm', ...left);
});

describe('ip.yml: MongoDB at a static IP', () => {
  beforeAll(async () => {
    stack = await upStack('ip.yml', { env: { FAVORITES_SUBNET, MONGO_IP } });
  });

  it('when the API is given the static address, /readyz is 200 at that address and the course requests work', async () => {
    const { status, body } = await readinessUntil(stack!.baseUrl, (s) => s === 200);

    expect(status).toBe(200);
    expect(body.database).toMatchObject({
      host: MONGO_IP,
      resolvedAddress: MONGO_IP,
      port: 27017,
      state: 'connected',
      lastError: null,
    });
    await courseRequestsSucceed(stack!.baseUrl);
  });

  it('when compose starts mongodb, the container really holds MONGO_IP on the FAVORITES_SUBNET network', () => {
    const network = `${stack!.projectName}_favorites-ip`;

    const address = addressOn(`${stack!.projectName}-mongodb-1`, network);
    const subnet = docker('network', 'inspect', '--format', '{{range .IPAM.Config}}{{.Subnet}}{{end}}', network);

    expect(address).toBe(MONGO_IP);
    expect(subnet).toBe(FAVORITES_SUBNET);
  });
});

describe('ip.yml: MongoDB recreated at another address while the API keeps the old one (IP drift)', () => {
  const network = () => `${stack!.projectName}_favorites-ip`;
  const mongoName = () => `${stack!.projectName}-mongodb-1`;
  const apiName = () => `${stack!.projectName}-favorites-1`;
  let before: { mongoId: string; apiId: string; apiStartedAt: string };
  let diagnosis: Awaited<ReturnType<typeof staleAddressDiagnosis>>;

  beforeAll(async () => {
    before = {
      mongoId: inspectFormat(mongoName(), '{{.Id}}'),
      apiId: inspectFormat(apiName(), '{{.Id}}'),
      apiStartedAt: inspectFormat(apiName(), '{{.State.StartedAt}}'),
    };
    await readinessUntil(stack!.baseUrl, (s) => s === 200);

    // `node scripts/stack.js ip --break stale-ip`: `MONGO_IP=<new> docker compose -f compose/ip.yml up -d mongodb`,
    // on the same file and project; the new address is ten on from MONGO_IP, DRIFTED_MONGO_IP.
    await breaks['stale-ip'].run(await breakContext(stack!, 'ip'));
    diagnosis = await staleAddressDiagnosis(stack!.baseUrl);
  });

  it('when only mongodb is brought up again, compose recreates it at the new address and leaves the API running with the old MONGODB_HOST', () => {
    expect(inspectFormat(mongoName(), '{{.Id}}')).not.toBe(before.mongoId);
    expect(addressOn(mongoName(), network())).toBe(DRIFTED_MONGO_IP);
    expect(inspectFormat(apiName(), '{{.Id}}')).toBe(before.apiId);
    expect(inspectFormat(apiName(), '{{.State.Running}} {{.State.StartedAt}}')).toBe(`true ${before.apiStartedAt}`);
    expect(inspectFormat(apiName(), '{{range .Config.Env}}{{println .}}{{end}}').split('\n')).toContain(
      `MONGODB_HOST=${MONGO_IP}`,
    );
  });

  it(`when the API still points at the old address, /readyz is 503 with a timeout (${STALE_IP_CODES.join(' or ')}), the old host and the stale-IP hint`, () => {
    const { status, body } = diagnosis;

    expect(status).toBe(503);
    expect(body.code).toBe('DATABASE_UNAVAILABLE');
    expect(body.database).toMatchObject({ host: MONGO_IP, resolvedAddress: MONGO_IP });
    expect(STALE_IP_CODES).toContain(body.database.lastError?.code);
    expect(body.database.hint).toContain(STALE_IP_HINT);
  });

  it('when the API still points at the old address, GET /favorites answers 503 DATABASE_UNAVAILABLE with the stale-IP hint, without hanging', async () => {
    // The driver's socket and connect timeouts (2 s each) bound even a query sent on a dead connection.
    const res = await request(stack!.baseUrl).get('/favorites').timeout(8000);

    expect(res.status).toBe(503);
    expect(res.body.code).toBe('DATABASE_UNAVAILABLE');
    expect(res.body.message).toContain(STALE_IP_HINT);
  });
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
