import request from 'supertest';
import { readyzInside } from '../../scripts/lib/readyz';
import { SCENARIOS, type BreakContext } from '../../scripts/lib/scenarios';
import { docker } from '../support/docker';
import { courseRequestsSucceed, lookUp, readinessUntil, upStack, type Stack } from '../support/compose';
import { eventually } from '../support/eventually';
import { breakContext } from '../support/scenario';

// Scenario 14, from the real compose/scale.yml: three API replicas share the network alias `api`;
// `balancer`, published on 127.0.0.1, looks `api` up for each new connection (Docker's DNS rotates
// the answer) and forwards to the first address. Each answer's X-Served-By names its replica.
// Every replica is stopped by `node scripts/stack.js scale --break replicas-stopped`'s own code.
let stack: Stack;
let ctx: BreakContext;

/** The favorites containers that are running (or, with `status`, in that state). */
const replicas = (status = 'running') =>
  docker(
    'ps',
    '-q',
    '--no-trunc',
    '-f',
    `status=${status}`,
    '-f',
    `label=com.docker.compose.project=${stack.projectName}`,
    '-f',
    'label=com.docker.compose.service=favorites',
  )
    .split('\n')
    .filter(Boolean);

/** `count` requests, each on a new connection; how many each replica served. */
async function servedBy(count: number): Promise<Map<string, number>> {
  const tally = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const response = await request(stack.baseUrl).get('/healthz').set('Connection', 'close');
    expect(response.status).toBe(200);
    const name = String(response.headers['x-served-by']);
    tally.set(name, (tally.get(name) ?? 0) + 1);
  }
  return tally;
}

beforeAll(async () => {
  stack = await upStack('scale.yml');
  ctx = await breakContext(stack, 'scale');
});

// A test that stops replicas starts them again, so every test begins with all three running and
// ready (asked from inside each: quicker than waiting for the next healthcheck).
afterEach(async () => {
  const stopped = replicas('exited');
  if (stopped.length === 0) return;
  docker('start', ...stopped);
  await eventually(() => stopped.every((id) => readyzInside(id).status === 200), 60_000, { intervalMs: 250 });
});

afterAll(async () => {
  await stack?.environment.down();
});

describe('scale.yml: three replicas behind DNS round robin', () => {
  it('the alias `api` resolves to three addresses, one for each favorites container', () => {
    const ids = replicas();
    const network = `${stack.projectName}_favorites-net`;
    const addresses = ids.map((id) =>
      docker('inspect', '--format', `{{(index .NetworkSettings.Networks "${network}").IPAddress}}`, id),
    );

    expect(ids).toHaveLength(3);
    const { exitCode, addresses: resolved } = lookUp(network, 'api');
    expect(exitCode).toBe(0);
    expect(resolved.sort()).toEqual(addresses.sort());
  });

  it('60 requests, each on a new connection, are served by all three replicas, each named by its container ID prefix', async () => {
    await readinessUntil(stack.baseUrl, (s) => s === 200);
    await courseRequestsSucceed(stack.baseUrl);
    const ids = replicas();

    const tally = await servedBy(60);

    expect(tally.size).toBe(3);
    for (const name of tally.keys()) expect(ids.filter((id) => id.startsWith(name))).toHaveLength(1);
    expect([...tally.keys()].map((name) => name.length)).toEqual([12, 12, 12]);
  });

  it('with one replica stopped, the balancer keeps answering, from the other two only', async () => {
    const [stopped] = replicas();
    docker('stop', '-t', '5', stopped);

    // The stopped replica's address leaves the DNS answer at once; no request fails.
    const tally = await servedBy(30);

    expect(tally.size).toBe(2);
    expect([...tally.keys()].some((name) => stopped.startsWith(name))).toBe(false);
  });

  it('with every replica stopped, `api` no longer resolves and the balancer closes each connection unanswered: socket hang up', async () => {
    const replicasStopped = SCENARIOS.scale.breaks['replicas-stopped'];
    await replicasStopped.run(ctx);

    const error = await request(stack.baseUrl)
      .get('/healthz')
      .then(
        () => undefined,
        (e: { code?: string; message: string }) => e,
      );

    expect(lookUp(`${stack.projectName}_favorites-net`, 'api').exitCode).toBe(2);
    expect(error?.code).toBe('ECONNRESET');
    expect(error?.message).toBe('socket hang up');
    // What the demo shows: the same request, with no answer.
    expect(await replicasStopped.show(ctx, undefined)).toMatch(
      /^\$ curl http:\/\/127\.0\.0\.1:\d+\/healthz\nno answer: /,
    );
  });
});
