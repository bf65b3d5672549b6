import request from 'supertest';
import { containerNetwork } from '../../services/favorites/src/db/diagnosis';
import type { ReadinessBody } from '../../services/favorites/src/health/readiness';
import { docker as runDocker } from '../../scripts/lib/engine';
import { SCENARIOS, type BreakContext } from '../../scripts/lib/scenarios';
import { docker, images } from '../support/docker';
import { engine, linkBehaviour } from '../support/engine';
import { eventually } from '../support/eventually';
import { startHostMongo, type MongoServer } from '../support/mongo-server';
import { CLOSED_PORT, freePort } from '../support/ports';
import {
  addressOn,
  cleanUp,
  composeCli,
  firstFailure,
  inspectFormat,
  luke,
  readinessUntil,
  uniqueName,
  type ComposeProject,
} from '../support/compose';
import { breakContainer, breakContext, removeBreakContainers } from '../support/scenario';

// The lessons of compose/network.yml told with `docker run` commands, run here as they are written
// in the docs: the legacy --link, and the host and none network drivers. The alias trap of --link
// and the API with no network are `node scripts/stack.js network --break link-alias` and
// `--break no-network`, caused by the same code.
const { breaks } = SCENARIOS.network;

/** Every container this file starts with `docker run`, removed (with its anonymous volumes) in afterAll. */
const containers: string[] = [];

/**
 * The network.yml project the breaks name their containers after. No stack runs: the credentials
 * one-shot alone makes the password the no-network API signs in with, as next to a stack.
 */
const project: ComposeProject = {
  file: 'network.yml',
  name: uniqueName('drivers'),
  env: { FAVORITES_NETWORK: uniqueName('net') },
};
let ctx: BreakContext;

beforeAll(async () => {
  composeCli(project, ['run', '--rm', 'credentials']);
  ctx = await breakContext({ projectName: project.name, env: project.env }, 'network');
});

/** `docker run -d --name <name> <args>`: the README's commands, one for one. */
function run(name: string, ...args: string[]): string {
  containers.push(name);
  docker('run', '-d', '--name', name, ...args);
  return name;
}

afterAll(() =>
  cleanUp([
    // runDocker does not throw for a container never started, or gone already.
    ...containers.map((name) => () => runDocker(['rm', '--force', '--volumes', name])),
    // The break's containers first: the no-network API mounts the project's credentials volume.
    () => removeBreakContainers({ project: project.name }, 'network'),
    () => composeCli(project, ['down', '--volumes', '--remove-orphans']),
  ]),
);

/** The API's /readyz read from inside its own container: for one that no network can reach. */
function readyzInside(container: string): { status: number; body: ReadinessBody } {
  const script =
    "fetch('http://127.0.0.1:3000/readyz').then(async (r) => console.log(JSON.stringify({ status: r.status, body: await r.json() })))";
  return JSON.parse(docker('exec', container, 'node', '-e', script));
}

/** `getent hosts <name>` in a container: its answer, and getent's exit code (2: not found). */
const lookupIn = (container: string, name: string) =>
  docker('exec', container, 'sh', '-c', 'getent hosts "$1"; echo "exit $?"', 'sh', name);

// --link differs by engine (docs/engines.md): Docker up to 28 writes the alias into /etc/hosts and
// sets <ALIAS>_PORT=tcp://… variables; Docker 29 writes the alias only (moby/moby#50719); Podman
// refuses it. Each test asserts what the engine it runs on does.
describe(`legacy --link on the default bridge (${engine().name}: ${linkBehaviour()})`, () => {
  const mongo = uniqueName('link-mongodb');
  const api = uniqueName('link-api');
  let mongoAddress: string;
  let baseUrl: string;
  /** Podman's answer to `docker run --link`. */
  let refusal = '';

  beforeAll(() => {
    // No password in this legacy lesson: the project's MongoDB image, plainly, on the default bridge.
    run(mongo, images.mongo);
    if (linkBehaviour() === 'refused') {
      containers.push(api);
      refusal = runDocker(['run', '-d', '--name', api, '--link', `${mongo}:db`, images.api]).stderr;
      return;
    }
    mongoAddress = addressOn(mongo, 'bridge');
    run(api, '--link', `${mongo}:db`, '-p', '127.0.0.1::3000', '-e', 'MONGODB_HOST=db', images.api);
    baseUrl = `http://${docker('port', api, '3000/tcp')}`;
  });

  it('when the API is started with --link <mongo>:db and MONGODB_HOST=db, it reaches MongoDB through the alias (Podman: refuses --link)', async () => {
    if (linkBehaviour() === 'refused') {
      expect(refusal).toContain('link is not supported');
      return;
    }
    const { status, body } = await readinessUntil(baseUrl, (s) => s === 200, 60_000);

    expect(status).toBe(200);
    expect(body.database).toMatchObject({
      host: 'db',
      resolvedAddress: mongoAddress,
      state: 'connected',
      lastError: null,
    });
    const saved = await request(baseUrl).post('/favorites').send(luke);
    expect(saved.status).toBe(201);
  });

  it('the link works one way only: the API resolves "db" from its /etc/hosts, MongoDB cannot resolve the API (Podman: no API container)', () => {
    if (linkBehaviour() === 'refused') {
      expect(runDocker(['inspect', api]).ok).toBe(false);
      return;
    }
    expect(lookupIn(api, 'db')).toMatch(new RegExp(`^${mongoAddress.replace(/\./g, '\\.')}\\s+db\\b[^\\n]*\\nexit 0$`));
    expect(docker('exec', api, 'cat', '/etc/hosts')).toContain(`${mongoAddress}\tdb `);

    expect(lookupIn(mongo, api)).toBe('exit 2');
  });

  it('when the link alias is "mongodb": up to Docker 28 MONGODB_PORT=tcp://… is injected and the API exits 1 saying where it came from; Docker 29 injects none and the API is ready; Podman refuses', async () => {
    // A MongoDB of its own on the default bridge, and an API linked to it under the alias "mongodb".
    if (linkBehaviour() === 'refused') {
      await expect(Promise.resolve().then(() => breaks['link-alias'].run(ctx))).rejects.toThrow(
        'link is not supported',
      );
      return;
    }
    await breaks['link-alias'].run(ctx);
    const trapped = breakContainer(ctx, 'link-api');
    const linkedAddress = addressOn(breakContainer(ctx, 'link-mongodb'), 'bridge');

    if (linkBehaviour() === 'hosts') {
      const ready = () => {
        try {
          return readyzInside(trapped).status === 200;
        } catch {
          return false; // not listening yet
        }
      };
      await eventually(ready, 60_000);
      expect(docker('exec', trapped, 'node', '-e', 'console.log(process.env.MONGODB_PORT ?? "unset")')).toBe('unset');
      return;
    }
    expect(docker('wait', trapped)).toBe('1');
    // The API writes an invalid configuration to stderr, which `docker logs` passes on as stderr.
    const log = runDocker(['logs', trapped]).stderr;
    expect(log).toContain(`MONGODB_PORT is "tcp://${linkedAddress}:27017": Docker's legacy --link sets that`);
    expect(log).toContain('--link <container>:db with MONGODB_HOST=db');
  });
});

describe('network_mode: host', () => {
  // "MongoDB installed on the host, bound to 127.0.0.1": a container that publishes on the host's
  // loopback only. It sits on the default bridge.
  let hostMongo: MongoServer;
  let apiPort: number;
  let api: string;

  beforeAll(async () => {
    hostMongo = await startHostMongo('127.0.0.1', await freePort());
    apiPort = await freePort();
    // No -p: with the host's network, the API listens on the host's own port (all of its addresses).
    api = run(
      uniqueName('host-api'),
      '--network',
      'host',
      '-e',
      `PORT=${apiPort}`,
      '-e',
      'MONGODB_HOST=localhost',
      '-e',
      `MONGODB_PORT=${hostMongo.port}`,
      images.api,
    );
  });

  afterAll(async () => {
    await hostMongo?.stop();
  });

  it("when the API shares the host's network, localhost is the host: it reaches a MongoDB bound to the host's 127.0.0.1", async () => {
    const baseUrl = `http://127.0.0.1:${apiPort}`;

    const { status, body } = await readinessUntil(baseUrl, (s) => s === 200, 60_000);

    expect(status).toBe(200);
    expect(body.database).toMatchObject({
      host: 'localhost',
      port: hostMongo.port,
      resolvedAddress: '127.0.0.1',
      state: 'connected',
    });
    expect((await request(baseUrl).post('/favorites').send(luke)).status).toBe(201);
    expect(inspectFormat(api, '{{range $name, $_ := .NetworkSettings.Networks}}{{$name}}{{end}}')).toBe('host');
    expect(docker('port', api)).toBe('');
  });

  it('when nothing listens on that port of the host: ECONNREFUSED, and the hint says localhost is the host itself, not the container', async () => {
    const port = await freePort();
    const refused = run(
      uniqueName('host-refused'),
      '--network',
      'host',
      '-e',
      `PORT=${port}`,
      '-e',
      'MONGODB_HOST=localhost',
      '-e',
      `MONGODB_PORT=${CLOSED_PORT}`,
      images.api,
    );

    const { status, body } = await firstFailure(`http://127.0.0.1:${port}`, 60_000);

    expect(status).toBe(503);
    expect(body.database).toMatchObject({ host: 'localhost', port: CLOSED_PORT, resolvedAddress: '127.0.0.1' });
    expect(body.database.lastError?.code).toBe('ECONNREFUSED');
    expect(body.database.hint).toContain(
      "shares the host's network (network_mode: host), so localhost is the host itself",
    );
    expect(body.database.hint).not.toContain('localhost is the container itself');
    // The API tells the host's network from its interfaces, read from /sys/class/net (up or down):
    // a container bridge or a veth's host end, which only the host's namespace holds.
    expect(containerNetwork(docker('exec', refused, 'ls', '/sys/class/net').split(/\s+/))).toBe('host');
  });
});

describe('network_mode: none', () => {
  let api: string;

  beforeAll(async () => {
    await breaks['no-network'].run(ctx);
    api = breakContainer(ctx, 'no-network');
  });

  it('the container has only loopback: no address, no published port, and the API answers only from inside', async () => {
    await eventually(
      () => {
        try {
          return readyzInside(api).status > 0;
        } catch {
          return false; // not listening yet
        }
      },
      30_000,
      { intervalMs: 250 },
    );

    expect(
      docker('exec', api, 'node', '-e', "console.log(Object.keys(require('os').networkInterfaces()).join(' '))"),
    ).toBe('lo');
    expect(
      inspectFormat(api, '{{range $name, $n := .NetworkSettings.Networks}}{{$name}} "{{$n.IPAddress}}"{{end}}'),
    ).toBe('none ""');
    expect(docker('port', api)).toBe('');
  });

  it('when it looks up MongoDB, no name resolves: EAI_AGAIN, and the hint says the container has only loopback', async () => {
    let last: { status: number; body: ReadinessBody } | undefined;
    await eventually(
      () => {
        last = readyzInside(api);
        return last.body.database.lastError !== null;
      },
      30_000,
      { intervalMs: 250, lastSeen: () => JSON.stringify(last) },
    );

    expect(last!.status).toBe(503);
    expect(last!.body.database).toMatchObject({ host: 'mongodb', resolvedAddress: null });
    expect(last!.body.database.lastError?.code).toBe('EAI_AGAIN');
    expect(last!.body.database.hint).toContain('only loopback (network_mode: none)');
  });
});
