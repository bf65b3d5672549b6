import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { docker } from '../support/docker';
import { linkBehaviour } from '../support/engine';
import { freePort, portIsFree } from '../support/ports';
import { readinessUntil, uniqueName } from '../support/compose';

// `node scripts/stack.js --break <failure>`, the one command that shows each scenario's failure.
// Four failures of the network stack are run for real, as a user runs them, on a stack of this
// suite's own (its own project, network and ports, through the variables stack.js passes on).
const ROOT = resolve(__dirname, '../..');
const project = uniqueName('stack-cli');
let port: number;

/** Runs scripts/stack.js as a user would, on this suite's project. */
function stackJs(...args: string[]) {
  const run = spawnSync(process.execPath, [resolve(ROOT, 'scripts/stack.js'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: {
      ...process.env,
      COMPOSE_PROJECT_NAME: project,
      FAVORITES_NETWORK: `${project}-net`,
      FAVORITES_PORT: String(port),
    },
    timeout: 200_000,
  });
  return { status: run.status, output: run.stdout, errors: run.stderr };
}

/** A port that is free, with the next one free too: stack.js publishes a second API on port + 1. */
async function freePortPair(): Promise<number> {
  for (;;) {
    const candidate = await freePort();
    if (await portIsFree(candidate + 1)) return candidate;
  }
}

beforeAll(async () => {
  port = await freePortPair();
});

afterAll(() => {
  stackJs('down', 'network', '--volumes');
});

describe('--help', () => {
  it('lists every scenario stack.js runs, each with at least one failure to show', () => {
    const help = stackJs('--help');
    expect(help.status).toBe(0);
    const lines = help.output.split('failures, by scenario:\n')[1].trim().split('\n');
    const known = new Map(lines.map((line) => line.trim().split(': ') as [string, string]));

    expect(known.size).toBeGreaterThan(0);
    expect([...known].filter(([, failures]) => failures === '-')).toEqual([]);
  });
});

describe('the network stack broken four ways, by stack.js itself', () => {
  it('--break stopped: MongoDB is stopped, /readyz is 503 with ENOTFOUND and both causes, and it says to start it again', () => {
    const { status, output, errors } = stackJs('network', '--break', 'stopped', '--detach');

    expect({ status, errors: status === 0 ? '' : errors }).toEqual({ status: 0, errors: '' });
    expect(output).toContain('$ docker compose -f compose/network.yml stop mongodb');
    expect(output).toContain('"code": "ENOTFOUND"');
    expect(output).toContain('MongoDB is stopped, or not started yet');
    expect(output).toContain('WARN  cannot reach MongoDB at mongodb:27017 (ENOTFOUND)');
    expect(output).toContain("What to change: Docker's DNS answers only for running containers");
  });

  it('--break default-bridge: a `docker run` API on the default bridge gets ENOTFOUND; the fix it prints, `docker network connect`, makes it ready', async () => {
    const { status, output } = stackJs('network', '--break', 'default-bridge');

    expect(status).toBe(0);
    expect(output).toContain(`$ curl http://localhost:${port + 1}/readyz\n503`);
    expect(output).toContain('"code": "ENOTFOUND"');
    expect(output).toContain('the default bridge has no DNS for container names');
    expect(output).toContain(`docker network connect ${project}-net ${project}-default-bridge`);

    docker('network', 'connect', `${project}-net`, `${project}-default-bridge`);
    const { status: after } = await readinessUntil(`http://127.0.0.1:${port + 1}`, (s) => s === 200, 60_000);
    expect(after).toBe(200);
  });

  it(`--break link-alias: an API linked under the alias "mongodb" exits 1 and says that --link set MONGODB_PORT (Docker 29: ready; Podman: refused; here ${linkBehaviour()})`, () => {
    const { status, output, errors } = stackJs('network', '--break', 'link-alias');

    // What --link does differs by engine (docs/engines.md).
    if (linkBehaviour() === 'refused') {
      expect(status).not.toBe(0);
      expect(errors).toContain('link is not supported');
      return;
    }
    expect(status).toBe(0);
    if (linkBehaviour() === 'hosts') {
      // The API's /readyz, read from inside it: 200.
      expect(output).toContain('\n200 {');
      return;
    }
    expect(output).toContain(`$ docker wait ${project}-link-api\n1\n`);
    expect(output).toMatch(
      /Invalid configuration: MONGODB_PORT is "tcp:\/\/[\d.]+:27017": Docker's legacy --link sets that/,
    );
  });

  it('--break no-network: an API with --network none, read from inside, is 503 with EAI_AGAIN and says it has only loopback', () => {
    const { status, output } = stackJs('network', '--break', 'no-network');

    expect(status).toBe(0);
    expect(output).toContain(`$ docker exec ${project}-no-network node -e`);
    expect(output).toContain('"code": "EAI_AGAIN"');
    expect(output).toContain('This container has no network, only loopback (network_mode: none)');
  });

  it('`down network --volumes` removes the stack and every container the failures started', () => {
    expect(stackJs('down', 'network', '--volumes').status).toBe(0);

    expect(docker('ps', '-a', '--filter', `name=${project}`, '--format', '{{.Names}}')).toBe('');
    expect(docker('volume', 'ls', '--filter', `name=${project}`, '--format', '{{.Name}}')).toBe('');
  });
});
