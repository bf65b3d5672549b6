import {
  addressOn,
  cleanUp,
  composeCli,
  connectOnLoopback,
  readinessUntil,
  uniqueName,
  upStack,
  type ComposeProject,
  type Stack,
} from '../support/compose';
import { SCENARIOS } from '../../scripts/lib/scenarios';
import { docker, inspect } from '../support/docker';
import { freePort } from '../support/ports';
import { breakContext } from '../support/scenario';

// compose/ports.yml: what reaches MongoDB from the host, published or not. Removed with `down --volumes`.
// The unpublished MongoDB is also looked at as `node scripts/stack.js ports --break unpublished` does.
const { unpublished } = SCENARIOS.ports.breaks;

const ports: ComposeProject = { file: 'ports.yml', name: uniqueName('ports'), env: {} };
let portsStack: Stack | undefined;

beforeAll(async () => {
  ports.env.FAVORITES_PORT = String(await freePort());
  ports.env.MONGO_HOST_PORT = String(await freePort());
  portsStack = await upStack(ports.file, { projectName: ports.name, env: ports.env });
});

// Whether it came up or not.
afterAll(() => cleanUp([() => composeCli(ports, ['down', '--volumes', '--remove-orphans'])]));

describe('ports.yml: what reaches MongoDB from the host', () => {
  const container = (service: string) => `${ports.name}-${service}-1`;
  /** Another suite may publish a MongoDB of its own on the host's 27017; then all we can check is that it is not ours. */
  const someonePublishes27017 = () =>
    docker('ps', '--format', '{{.Names}} {{.Ports}}')
      .split('\n')
      .some((line) => /(^|[ ,])(127\.0\.0\.1|0\.0\.0\.0|\[::\]|::):27017->/.test(line));

  it('the API reaches the unpublished MongoDB by name: publishing plays no part between containers', async () => {
    const { status, body } = await readinessUntil(portsStack!.baseUrl, (s) => s === 200);

    expect(status).toBe(200);
    expect(body.database.resolvedAddress).toBe(addressOn(container('mongodb'), `${ports.name}_favorites-net`));
  });

  it('an unpublished MongoDB: no binding, `docker port` is empty, and 127.0.0.1:27017 refuses', async () => {
    const { HostConfig, NetworkSettings } = inspect(container('mongodb'));

    expect(HostConfig.PortBindings ?? {}).toEqual({});
    expect(NetworkSettings.Ports).toEqual({ '27017/tcp': null });
    expect(docker('port', container('mongodb'))).toBe('');
    if (!someonePublishes27017()) expect(await connectOnLoopback(27017)).toBe('ECONNREFUSED');

    // The break changes nothing: it shows what the host sees, and says the same.
    const ctx = await breakContext(portsStack!, 'ports');
    const shown = await unpublished.show(ctx, await unpublished.run(ctx));
    expect(shown).toMatch(/^mongodb's host port: (:0|\(none\)), not published$/m);
    if (!someonePublishes27017()) expect(shown).toContain('connect 127.0.0.1:27017 from the host: ECONNREFUSED\n');
    expect(shown).toContain(`port mongodb-compass 27017\n127.0.0.1:${ports.env.MONGO_HOST_PORT}`);
  });

  it('`expose: ["27017"]`: the port is exposed in the config, yet nothing is published', () => {
    const { Config, HostConfig, NetworkSettings } = inspect(container('mongodb-exposed'));

    // Compose 2.26 passes `expose` on as written, "27017" without "/tcp", next to the image's own
    // "27017/tcp"; the engine's port table counts them as one port, unpublished.
    expect(Object.keys(Config.ExposedPorts).sort()).toEqual(['27017', '27017/tcp']);
    expect(HostConfig.PortBindings ?? {}).toEqual({});
    expect(NetworkSettings.Ports).toEqual({ '27017/tcp': null });
    expect(docker('port', container('mongodb-exposed'))).toBe('');
  });

  it('`ports: ["${MONGO_BIND_ADDRESS:-127.0.0.1}::27017"]`: the engine picks a host port, on loopback only, and 127.0.0.1 accepts TCP on it', async () => {
    const { HostConfig } = inspect(container('mongodb-random'));
    const published = docker('port', container('mongodb-random'), '27017/tcp').split('\n');
    const port = Number(published[0].split(':').pop());

    expect(HostConfig.PortBindings).toEqual({ '27017/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] });
    // One binding: an address given, the engine binds that family only (no [::] beside it).
    expect(published).toEqual([`127.0.0.1:${port}`]);
    expect(port).toBeGreaterThan(1024);
    expect(await connectOnLoopback(port)).toBe('connected');
  });

  it('`${MONGO_BIND_ADDRESS:-127.0.0.1}:${MONGO_HOST_PORT}:27017` (for Compass): bound to 127.0.0.1 only, and it accepts TCP there', async () => {
    const port = ports.env.MONGO_HOST_PORT;
    const { HostConfig } = inspect(container('mongodb-compass'));

    expect(HostConfig.PortBindings).toEqual({ '27017/tcp': [{ HostIp: '127.0.0.1', HostPort: port }] });
    expect(docker('port', container('mongodb-compass'))).toBe(`27017/tcp -> 127.0.0.1:${port}`);
    expect(await connectOnLoopback(Number(port))).toBe('connected');
  });
});
