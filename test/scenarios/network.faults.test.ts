import { FAULTS, runFault, type FaultReport } from '../../scripts/lib/faults';
import { readinessUntil, uniqueName, upStack, type Stack } from '../support/compose';

// compose/network.yml under steady load (10 writers, 20 keep-alive readers) while MongoDB fails in
// each way a user can make it fail. scripts/reliability.js prints the same runs as a table.
const networkName = uniqueName('net');
let stack: Stack;

beforeAll(async () => {
  stack = await upStack('network.yml', { env: { FAVORITES_NETWORK: networkName } });
});

afterAll(async () => {
  await stack?.environment.down();
});

describe.each(Object.keys(FAULTS))('network.yml under load: %s', (fault) => {
  let report: FaultReport;

  beforeAll(async () => {
    await readinessUntil(stack.baseUrl, (status) => status === 200, 60_000);
    report = await runFault(fault, {
      baseUrl: stack.baseUrl,
      mongo: `${stack.projectName}-mongodb-1`,
      network: networkName,
    });
  });

  it('loses no acknowledged write', () => {
    expect(report.acknowledgedWrites).toBeGreaterThan(0);
    expect(report.writesLost).toBe(0);
  });

  it('answers every refused request 503 DATABASE_UNAVAILABLE with a hint: no 500, no reset, no hang', () => {
    const unexpected = report.refusals.filter(
      (a) => a.status !== 503 || a.body?.code !== 'DATABASE_UNAVAILABLE' || !/unavailable: /.test(a.body?.message),
    );

    expect(report.refusals.length).toBeGreaterThan(0);
    expect(unexpected.slice(0, 5)).toEqual([]);
  });

  it('answers every request within 5 s: two 2 s driver timeouts and some margin', () => {
    expect(report.slowestMs).toBeLessThan(5000);
  });

  it('takes writes again within 10 s of the fault ending', () => {
    expect(report.recoveryMs).not.toBeNull();
    expect(report.recoveryMs).toBeLessThan(10_000);
  });
});
