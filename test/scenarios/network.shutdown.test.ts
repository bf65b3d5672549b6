import request from 'supertest';
import { docker } from '../support/docker';
import { startReaders } from '../../scripts/lib/faults';
import { readinessUntil, upStack, uniqueName, type Stack } from '../support/compose';

// The real compose/network.yml under steady keep-alive reads, stopped as a user stops it.
const networkName = uniqueName('net');
let stack: Stack;

beforeAll(async () => {
  // The query limit is raised: 20 lists at once on a 2-core machine that runs other suites can
  // outlast 1.5 s (504, a slow query, which query-timeout.int.test.ts proves), and this is about the shutdown.
  stack = await upStack('network.yml', { env: { FAVORITES_NETWORK: networkName, MONGODB_QUERY_TIMEOUT_MS: '10000' } });
  await readinessUntil(stack.baseUrl, (status) => status === 200);
  // A full page of favorites (100, the default limit), so that a list takes a while: requests are
  // still in flight when the signal comes and when the listener closes, which is when a careless
  // shutdown resets them. No more than a page: the offline stand-in sorts every favorite for each
  // list, and the more it sorts, the sooner 20 concurrent lists on a busy 2-core machine outlast the
  // 1.5 s query limit (504): that tests slow queries (see the README's limits), not the shutdown.
  for (let batch = 0; batch < 5; batch += 1) {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        request(stack.baseUrl)
          .post('/favorites')
          .send({ type: 'character', name: `Clone ${batch}-${i}`, url: `https://swapi.dev/api/people/${i}/` })
          .expect(201),
      ),
    );
  }
});

afterAll(async () => {
  await stack?.environment.down();
});

describe('network.yml: `docker compose stop` while 20 keep-alive clients read', () => {
  it('answers every request that was sent, closes each connection with Connection: close, and the API exits 0 within the grace period', async () => {
    const api = `${stack.projectName}-favorites-1`;
    const clients = startReaders(`${stack.baseUrl}/favorites`, 20);
    await clients.reading;

    const started = Date.now();
    // `docker compose -f compose/network.yml stop`: the API first (it depends on mongodb), SIGTERM, then SIGKILL after 10 s.
    await stack.environment.stop();
    const stopSeconds = (Date.now() - started) / 1000;
    const results = await clients.results;

    expect(results.flatMap((r) => r.errors)).toEqual([]);
    // Each client that was not closed politely, or got anything but 200, with what it got.
    const answeredOtherwise = results
      .filter((r) => !r.closedPolitely || r.statuses.some((status) => status !== 200))
      .map((r) => ({ closedPolitely: r.closedPolitely, statuses: [...new Set(r.statuses)] }));
    expect(answeredOtherwise).toEqual([]);
    expect(docker('inspect', '--format', '{{.State.ExitCode}}', api)).toBe('0');
    expect(stopSeconds).toBeLessThan(10);
    expect(docker('logs', api)).toContain('shut down cleanly');
  });
});
