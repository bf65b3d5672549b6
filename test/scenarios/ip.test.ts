import { randomInt } from 'node:crypto';
import request from 'supertest';
import { docker as runDocker } from '../../scripts/lib/engine';
import { SCENARIOS } from '../../scripts/lib/scenarios';
import { overlap } from '../../scripts/lib/stack-hints';
import { docker } from '../support/docker';
import { breakContainer, breakContext } from '../support/scenario';
import { STALE_IP_CODES, STALE_IP_HINT, staleAddressDiagnosis } from '../support/stale-address';
import {
  composeCli,
  courseRequestsSucceed,
  luke,
  readinessUntil,
  upStack,
  type Stack,
  inspectFormat,
} from '../support/compose';

// compose/ip.yml from the real file; its `docker run` lesson, on the default bridge, is
// ip.docker-run.test.ts (it runs alone).

/**
 * A /24 in 172.28-31.x that no existing Docker network overlaps: another suite's, another run's, or
 * a /16 the engine took from its default pool (from 172.17 up, so the last ones are taken last).
 */
function freeSubnet(): string {
  // One network at a time: one may go between `ls` and `inspect` (a parallel suite, or leaving the swarm).
  const used = docker('network', 'ls', '-q')
    .split('\n')
    .flatMap((network) =>
      runDocker(['network', 'inspect', '--format', '{{range .IPAM.Config}}{{.Subnet}} {{end}}', network]).stdout.split(
        ' ',
      ),
    )
    .filter((subnet) => /^\d+\.\d+\.\d+\.\d+\/\d+$/.test(subnet));
  const free = [28, 29, 30, 31]
    .flatMap((second) => [...Array(256).keys()].map((third) => `172.${second}.${third}.0/24`))
    .filter((subnet) => !used.some((other) => overlap(subnet, other)));
  if (free.length === 0) throw new Error(`every /24 of 172.28.0.0/14 overlaps a Docker network: ${used.join(' ')}`);
  return free[randomInt(free.length)];
}

const { breaks } = SCENARIOS.ip;
const FAVORITES_SUBNET = freeSubnet();
const prefix = FAVORITES_SUBNET.replace('.0/24', '');
const MONGO_IP = `${prefix}.10`;
const DRIFTED_MONGO_IP = `${prefix}.20`;

let stack: Stack | undefined;

afterAll(async () => {
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

    const address = inspectFormat(
      `${stack!.projectName}-mongodb-1`,
      `{{(index .NetworkSettings.Networks "${network}").IPAddress}}`,
    );
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
    expect(inspectFormat(mongoName(), `{{(index .NetworkSettings.Networks "${network()}").IPAddress}}`)).toBe(
      DRIFTED_MONGO_IP,
    );
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

describe('ip.yml: another network already holds its subnet (Pool overlaps)', () => {
  const overlapping = () => breakContainer({ project: stack!.projectName }, 'overlapping-net');
  let shown = '';
  let up = '';

  beforeAll(async () => {
    // `node scripts/stack.js ip --break pool-overlap`: down, a network of its own on FAVORITES_SUBNET, then up.
    const ctx = await breakContext(stack!, 'ip');
    const state = await breaks['pool-overlap'].run(ctx);
    up = state.up;
    shown = await breaks['pool-overlap'].show(ctx, state);
  });

  afterAll(() => {
    if (stack) runDocker(['network', 'rm', overlapping()]);
  });

  it("when another network holds the subnet first, `up` fails with the engine's own words", () => {
    expect(up).toContain('Error response from daemon: Pool overlaps with other one on this address space');
    expect(docker('network', 'inspect', '--format', '{{range .IPAM.Config}}{{.Subnet}}{{end}}', overlapping())).toBe(
      FAVORITES_SUBNET,
    );
  });

  it('stack.js names the network in the way and the two ways out (POOL_OVERLAP)', () => {
    expect(shown).toContain(
      `POOL_OVERLAP: the network ${overlapping()} already holds ${FAVORITES_SUBNET}, which overlaps ${FAVORITES_SUBNET}`,
    );
    expect(shown).toContain('FAVORITES_SUBNET=<a.b.c.0/24> MONGO_IP=<a.b.c.10>');
    expect(shown).toContain(`docker network rm ${overlapping()}`);
  });

  it('once the other network is gone, the same `up` works again and the favorites are still there', async () => {
    runDocker(['network', 'rm', overlapping()]);
    const project = { file: 'ip.yml', name: stack!.projectName, env: stack!.env };
    composeCli(project, ['up', '-d', '--wait']);

    const { status } = await readinessUntil(stack!.baseUrl, (s) => s === 200);
    const listed = await request(stack!.baseUrl).get('/favorites');

    expect(status).toBe(200);
    expect(listed.body.favorites.map((favorite: { name: string }) => favorite.name)).toContain(luke.name);
  });
});
