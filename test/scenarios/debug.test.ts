import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { docker } from '../support/docker';
import { addressOn, uniqueName } from '../support/compose';
import { freePort, portIsFree } from '../support/ports';
import { engine } from '../support/engine';

// `node scripts/stack.js debug network`, as a user runs it, on a network stack of this suite's own:
// the toolbox joins the FROM-scratch API's network namespace and shows, from there, that `mongodb`
// resolves through Docker's DNS and answers on 27017; then, with MongoDB stopped, how that fails.
// test/unit/debug.test.ts covers the other scenarios' targets with no Docker.
const ROOT = resolve(__dirname, '../..');
const project = uniqueName('debug');
const network = `${project}-net`;
const api = `${project}-favorites-1`;
const env = () => ({
  ...process.env,
  COMPOSE_PROJECT_NAME: project,
  FAVORITES_NETWORK: network,
  FAVORITES_PORT: String(port),
});
let port: number;

/** Runs scripts/stack.js as a user would, on this suite's project. */
function stackJs(...args: string[]) {
  const run = spawnSync(process.execPath, [resolve(ROOT, 'scripts/stack.js'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: env(),
    timeout: 200_000,
  });
  return { status: run.status, output: run.stdout, errors: run.stderr };
}

/** The containers the toolbox image left, running or not: `--rm` must leave none. */
const toolboxContainers = () =>
  docker('ps', '-a', '--filter', 'label=swfavorites.component=toolbox', '--format', '{{.Names}}');

beforeAll(async () => {
  // stack.js publishes a second API on port + 1 for some breaks: keep both free.
  do port = await freePort();
  while (!(await portIsFree(port + 1)));
  const up = stackJs('network', '--detach');
  if (up.status !== 0) throw new Error(`stack.js network failed: ${up.errors}`);
});

afterAll(() => {
  stackJs('down', 'network', '--volumes');
});

describe('stack.js debug network, looking from the FROM-scratch API', () => {
  it('the API image has no nslookup to exec: that is why the toolbox joins its namespace instead', () => {
    const exec = spawnSync('docker', ['exec', api, 'nslookup', 'mongodb'], { encoding: 'utf8' });

    // The command could not be run: 126 on Docker 26 (which prints why on stdout), 127 on Docker 28,
    // as a shell says for a missing command (docs/engines.md).
    const { kind, major } = engine();
    expect(exec.status).toBe(kind === 'docker' && major < 28 ? 126 : 127);
    expect(`${exec.stdout}${exec.stderr}`).toContain('"nslookup": executable file not found in $PATH');
  });

  it("shows the API's own resolv.conf (Docker's DNS at 127.0.0.11), mongodb resolving to MongoDB's address, a TCP answer on 27017, and the routes", () => {
    const { status, output, errors } = stackJs('debug', 'network');
    const mongo = addressOn(`${project}-mongodb-1`, network);

    expect({ status, errors: status === 0 ? '' : errors }).toEqual({ status: 0, errors: '' });
    expect(output).toContain(`$ docker run --rm --network container:${api} -e DB_HOST=mongodb -e DB_PORT=27017`);
    expect(output).toContain(`${network} ${addressOn(api, network)} aliases`);
    expect(output).toMatch(/\$ cat \/etc\/resolv.conf\n[\s\S]*nameserver 127\.0\.0\.11\n/);
    expect(output).not.toContain("own /etc/resolv.conf differs from the toolbox's");
    expect(output).toContain(`$ getent ahosts mongodb\n${mongo}\n`);
    expect(output).toMatch(
      new RegExp(`Server:\\s+127\\.0\\.0\\.11\\n[\\s\\S]*Name:\\s+mongodb\\nAddress: ${mongo}\\n`),
    );
    expect(output).toContain(`Connection to mongodb (${mongo}) 27017 port [tcp/*] succeeded!`);
    expect(output).toContain('"ready":true');
    expect(output).toMatch(/\$ ip route\ndefault via [\d.]+ dev eth0/);
    expect(output).toContain(`Summary: mongodb resolves to ${mongo}; mongodb:27017 answers.`);
  });

  it("with MongoDB stopped: Docker's DNS answers NXDOMAIN, nc cannot resolve the name, and /readyz says ENOTFOUND", () => {
    const stopped = spawnSync('docker', ['compose', '-f', 'compose/network.yml', 'stop', 'mongodb'], {
      cwd: ROOT,
      env: env(),
      encoding: 'utf8',
    });
    expect(stopped.status).toBe(0);

    const { status, output } = stackJs('debug', 'network');

    expect(status).toBe(0);
    expect(output).toContain('$ getent ahosts mongodb\n(no answer)');
    expect(output).toContain("** server can't find mongodb: NXDOMAIN");
    expect(output).toContain('nc: getaddrinfo for host "mongodb" port 27017: Name or service not known');
    expect(output).toContain('"code":"ENOTFOUND"');
    expect(output).toContain('Summary: mongodb does not resolve; mongodb:27017 does not answer.');
  });

  it('a service with no running container is refused, saying --network container: needs one', () => {
    const { status, errors } = stackJs('debug', 'network', 'mongodb');

    expect(status).toBe(1);
    expect(errors).toContain(`No running container of mongodb in network`);
    expect(errors).toContain('--network container: joins only a running container');
  });

  it('leaves no toolbox container behind (--rm)', () => {
    expect(toolboxContainers()).toBe('');
  });
});
