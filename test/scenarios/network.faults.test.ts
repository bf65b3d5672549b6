import {
  FAULTS,
  apiLogLines,
  runFault,
  startLoad,
  unexpectedRefusals,
  type FaultReport,
} from '../../scripts/lib/faults';
import { readinessUntil, uniqueName, upStack, type Stack } from '../support/compose';

// compose/network.yml under steady load (10 writers, 20 keep-alive readers) while MongoDB fails in
// each way a user can make it fail. scripts/reliability.js prints the same runs as a table. Each
// fault on a stack of its own: the thousands of favorites one run writes would slow the next
// one's lists (the offline stand-in sorts them all for each page), which tests slow queries, not
// the fault.

/** The API's own limit on a request while MongoDB is away: two 2 s driver timeouts. */
const DRIVER_TIMEOUTS_MS = 2 * 2000;

/**
 * The slowest answer the same load gets in 2 s with nothing failing: what the machine adds to any
 * request at that moment (a busy 2-core machine running other suites adds seconds).
 */
async function slowestWithoutFault(baseUrl: string): Promise<number> {
  const load = startLoad(baseUrl, { tag: 'no-fault' });
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const { answers } = await load.stop();
  return Math.max(...answers.map((answer) => answer.ms));
}

describe.each(Object.keys(FAULTS))('network.yml under load: %s', (fault) => {
  const networkName = uniqueName('net');
  let stack: Stack;
  let report: FaultReport;
  let baselineMs: number;

  beforeAll(async () => {
    stack = await upStack('network.yml', { env: { FAVORITES_NETWORK: networkName } });
    await readinessUntil(stack.baseUrl, (status) => status === 200, 60_000);
    baselineMs = await slowestWithoutFault(stack.baseUrl);
    report = await runFault(fault, {
      baseUrl: stack.baseUrl,
      mongo: `${stack.projectName}-mongodb-1`,
      network: networkName,
    });
  });

  afterAll(async () => {
    await stack?.environment.down();
  });

  it('loses no acknowledged write', () => {
    expect(report.acknowledgedWrites).toBeGreaterThan(0);
    expect(report.writesLost).toBe(0);
  });

  it('answers every refused request 503 DATABASE_UNAVAILABLE with a hint, or 504 when MongoDB itself stopped the query: no 500, no reset, no hang', () => {
    const unexpected = unexpectedRefusals(report.refusals);
    // The API's own log line for each shows what went wrong (a 500 logs its error class and stack).
    const logged = apiLogLines(`${stack.projectName}-favorites-1`, unexpected);

    expect(report.refusals.length).toBeGreaterThan(0);
    expect({ unexpected: unexpected.slice(0, 5), logged: logged.slice(0, 5) }).toEqual({ unexpected: [], logged: [] });
  });

  // The fault may add two driver timeouts to a request, and nothing more. On top: what requests
  // take without a fault in the same run, and at least the 1 s an idle machine needs (5 s in all).
  it('answers every request within two 2 s driver timeouts of what it takes without a fault', () => {
    expect(report.slowestMs).toBeLessThan(DRIVER_TIMEOUTS_MS + Math.max(1000, baselineMs));
  });

  it('takes writes again within 10 s of the fault ending', () => {
    expect(report.recoveryMs).not.toBeNull();
    expect(report.recoveryMs).toBeLessThan(10_000);
  });
});
