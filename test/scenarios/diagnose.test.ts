import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { docker, images } from '../support/docker';
import { uniqueName } from '../support/compose';
import { eventually } from '../support/eventually';

// scripts/diagnose.sh against a network and a MongoDB of this suite's own, and the default bridge.
const SCRIPT = resolve(__dirname, '../../scripts/diagnose.sh');
const network = uniqueName('diag');
const mongo = uniqueName('diag-mongodb');

beforeAll(() => {
  docker('network', 'create', network);
  docker('run', '-d', '--name', mongo, '--network', network, '--network-alias', 'database', images.mongo);
});

afterAll(() => {
  docker('rm', '-f', '-v', mongo);
  docker('network', 'rm', network);
});

function diagnose(...args: string[]) {
  const run = spawnSync('bash', [SCRIPT, ...args], { encoding: 'utf8', env: process.env });
  return { status: run.status, table: run.stdout, error: run.stderr };
}

describe('scripts/diagnose.sh', () => {
  it('on a user-defined network, shows the embedded DNS, the address an alias resolves to, an open port and the target', async () => {
    const address = docker(
      'inspect',
      '--format',
      `{{(index .NetworkSettings.Networks "${network}").IPAddress}}`,
      mongo,
    );
    let result!: ReturnType<typeof diagnose>;
    // FerretDB takes a moment to listen; the script's answer is what it is at that moment.
    await eventually(() => (result = diagnose(network, 'database', '27017')).status === 0, 10_000, {
      intervalMs: 250,
      lastSeen: () => `exit ${result.status}\n${result.table}${result.error}`,
    });

    expect(result.status).toBe(0);
    expect(result.table).toContain("resolver   127.0.0.11, Docker's embedded DNS");
    expect(result.table).toContain(`name       database resolves to ${address}`);
    expect(result.table).toContain('port       27017 answers');
    expect(result.table).toContain(`target     ${mongo}, on networks: ${network}`);
  });

  it('for a name nothing on the network answers to, says it does not resolve, tries no port, and exits 1', () => {
    const result = diagnose(network, 'mongodb');

    expect(result.status).toBe(1);
    expect(result.table).toContain('name       mongodb does not resolve');
    expect(result.table).toContain('port       27017 not tried: the name does not resolve');
    expect(result.table).toContain(`target     no container on ${network} answers to mongodb`);
  });

  it('for a port nobody listens on, says it does not answer, and exits 1', () => {
    const result = diagnose(network, 'database', '27018');

    expect(result.status).toBe(1);
    expect(result.table).toContain('port       27018 does not answer within 2 s');
  });

  it('on the default bridge, says there is no embedded DNS, so the container name does not resolve', () => {
    const result = diagnose('bridge', mongo);

    expect(result.status).toBe(1);
    expect(result.table).toContain("not Docker's embedded DNS: container names do not resolve here");
    expect(result.table).toContain(`name       ${mongo} does not resolve`);
  });

  it('for a network that does not exist, says so and exits 2', () => {
    const result = diagnose('no-such-network-here', 'mongodb');

    expect(result.status).toBe(2);
    expect(result.error).toContain('no network named no-such-network-here here');
  });
});
