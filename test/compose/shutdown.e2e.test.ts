import { docker } from '../support/docker';
import { readUntilClosed } from '../support/keep-alive';
import { readinessUntil, upStack, uniqueName, type Stack } from './support';

// The real compose/network.yml under steady keep-alive reads, stopped as a user stops it.
const networkName = uniqueName('net');
let stack: Stack;

beforeAll(async () => {
  stack = await upStack('network.yml', { env: { FAVORITES_NETWORK: networkName } });
  await readinessUntil(stack.baseUrl, (status) => status === 200);
});

afterAll(async () => {
  await stack?.environment.down();
});

describe('network.yml: `docker compose stop` while 20 keep-alive clients read', () => {
  it('answers every request that was sent, closes each connection with Connection: close, and the API exits 0 within the grace period', async () => {
    const api = `${stack.projectName}-favorites-1`;
    const clients = Array.from({ length: 20 }, () => readUntilClosed(`${stack.baseUrl}/favorites`));
    await new Promise((r) => setTimeout(r, 500));

    const started = Date.now();
    // `docker compose -f compose/network.yml stop`: the API first (it depends on mongodb), SIGTERM, then SIGKILL after 10 s.
    await stack.environment.stop();
    const stopSeconds = (Date.now() - started) / 1000;
    const results = await Promise.all(clients);

    expect(results.flatMap((r) => r.errors)).toEqual([]);
    expect(results.every((r) => r.closedPolitely && r.statuses.every((status) => status === 200))).toBe(true);
    expect(docker('inspect', '--format', '{{.State.ExitCode}}', api)).toBe('0');
    expect(stopSeconds).toBeLessThan(10);
    expect(docker('logs', api)).toContain('shut down cleanly');
  });
});
