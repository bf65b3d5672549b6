import { buildBalancerImage } from '../../scripts/lib/images';
import { docker } from '../support/docker';
import { eventually } from '../support/eventually';
import { uniqueName } from '../support/compose';
import { slowClients } from '../support/slowloris';

// compose/swarm.yml's balancer (scripts/images/balancer), run alone with the stack's own limits, on a
// network of its own: no swarm and no replica, since what is checked here is the balancer's own
// handling of clients. Its haproxy.cfg gives a request's whole header 10 s (`timeout http-request`),
// as the API does, however often a line of it arrives; it logs each request to stdout.
const image = process.env.FAVORITES_BALANCER_IMAGE ?? 'swfavorites/balancer:local';
const name = uniqueName('balancer');
let port: number;

/** The balancer's stdout: its access log. */
const accessLog = () => docker('logs', name);

beforeAll(async () => {
  buildBalancerImage(process.env);
  docker('network', 'create', name);
  docker(
    'run',
    '--detach',
    '--name',
    name,
    '--network',
    name,
    '--publish',
    '127.0.0.1::8080',
    '--read-only',
    '--cap-drop',
    'ALL',
    '--init',
    '--memory',
    '256m',
    image,
  );
  port = Number(docker('port', name, '8080/tcp').split('\n')[0].split(':').pop());
  await eventually(
    async () =>
      (
        await fetch(`http://127.0.0.1:${port}/balancer/healthz`, { signal: AbortSignal.timeout(2000) }).catch(
          () => undefined,
        )
      )?.status === 200,
    30_000,
  );
});

afterAll(() => {
  docker('rm', '--force', name);
  docker('network', 'rm', name);
});

describe('swarm.yml: the balancer against slow and many clients', () => {
  it('with 100 slowloris clients each sending a header line every second, still answers at once, and answers each 408 and closes it once its 10 s for the header are up', async () => {
    const slow = await slowClients(port, 100, { lineEveryMs: 1000 });

    const normal = await fetch(`http://127.0.0.1:${port}/balancer/healthz`, { signal: AbortSignal.timeout(5000) });
    // Bounded: 10 s of timeout http-request, plus a margin for a busy machine. Without the timeout
    // the lines keep each connection busy, so `timeout client` (30 s, idle time) never cuts one off.
    const allClosedWithin = await slow.allClosedWithin(20_000);
    slow.destroy();

    expect(normal.status).toBe(200);
    expect(allClosedWithin).toBe(true);
    expect(slow.received().filter((answer) => !answer.startsWith('HTTP/1.1 408 '))).toEqual([]);
    const timedOut = () => accessLog().match(/ 408 \d+ .*"<BADREQ>"$/gm)?.length ?? 0;
    await eventually(() => timedOut() === 100, 5000, { lastSeen: () => `${timedOut()} lines of 408` });
  });

  it('logs each request on stdout, one line with its status and request line', async () => {
    const answer = await fetch(`http://127.0.0.1:${port}/favorites?from=the-log-test`, {
      signal: AbortSignal.timeout(5000),
    });

    expect(answer.status).toBe(503); // no replica here
    await eventually(() => / 503 \d+ .*"GET \/favorites\?from=the-log-test HTTP\/1\.1"$/m.test(accessLog()), 5000, {
      lastSeen: accessLog,
    });
  });
});
