import request from 'supertest';
import { Network, type StartedNetwork, type StartedTestContainer } from 'testcontainers';
import { SCENARIOS, type BreakContext } from '../../scripts/lib/scenarios';
import { docker, images, inspect } from '../support/docker';
import { breakContext, removeBreakContainers } from '../support/scenario';
import {
  apiContainer,
  apiUrl,
  courseRequestsSucceed,
  firstFailure,
  luke,
  readinessUntil,
  signedInApiContainer,
  uniqueName,
  upStack,
  type Stack,
} from '../support/compose';

// One stack for the whole file, brought up from the real compose/network.yml. The named network
// gets a name of this run's own, so a user's running stack is never touched. Where a test causes
// a failure that `node scripts/stack.js network --break <name>` shows, it runs that break's code.
const { breaks } = SCENARIOS.network;
const networkName = uniqueName('net');
let stack: Stack;
let stackIsDown = false;
const started: StartedTestContainer[] = [];
let otherNetwork: StartedNetwork | undefined;

beforeAll(async () => {
  stack = await upStack('network.yml', { env: { FAVORITES_NETWORK: networkName } });
});

afterAll(async () => {
  if (stack) removeBreakContainers({ project: stack.projectName }, 'network');
  await Promise.all(started.map((container) => container.stop()));
  await otherNetwork?.stop();
  if (!stackIsDown) await stack?.environment.down();
});

describe('network.yml: the API reaches MongoDB by service name on a named network', () => {
  it('when both services share the network, /readyz is 200 and the course requests work', async () => {
    const { status, body } = await readinessUntil(stack.baseUrl, (s) => s === 200);

    expect(status).toBe(200);
    expect(body.database).toMatchObject({ host: 'mongodb', port: 27017, state: 'connected', lastError: null });
    expect(body.database.resolvedAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    await courseRequestsSucceed(stack.baseUrl);
  });

  it('MongoDB publishes no port on the host, and the network has the fixed name', () => {
    const mongo = `${stack.projectName}-mongodb-1`;

    expect(docker('port', mongo)).toBe('');
    expect(
      docker('inspect', '--format', '{{range $name, $_ := .NetworkSettings.Networks}}{{$name}}{{end}}', mongo),
    ).toBe(networkName);
  });
});

describe('network.yml: the API and the stub run locked down', () => {
  it.each(['favorites', 'swapi-stub', 'database-user'])(
    '%s: read-only root, no capabilities, no new privileges, non-root, memory and pids limits',
    (service) => {
      const container = `${stack.projectName}-${service}-1`;
      const [{ Config, HostConfig }] = JSON.parse(docker('inspect', container));

      expect(HostConfig.ReadonlyRootfs).toBe(true);
      expect(HostConfig.CapDrop).toEqual(['ALL']);
      expect(HostConfig.SecurityOpt).toContain('no-new-privileges:true');
      expect(Config.User).toBe('node');
      expect(HostConfig.Memory).toBe(256 * 1024 * 1024);
      expect(HostConfig.PidsLimit).toBe(128);
    },
  );

  it('mongodb: read-only root, no capabilities at all (not even in its own process), no new privileges, the mongodb user (999), 1 GB and 512 pids', () => {
    const container = `${stack.projectName}-mongodb-1`;
    const [{ Config, HostConfig }] = JSON.parse(docker('inspect', container));

    expect(HostConfig.ReadonlyRootfs).toBe(true);
    expect(HostConfig.CapDrop).toEqual(['ALL']);
    expect(HostConfig.CapAdd).toBeNull();
    expect(HostConfig.SecurityOpt).toContain('no-new-privileges:true');
    expect(Config.User).toBe('999:999');
    expect(HostConfig.Memory).toBe(1024 * 1024 * 1024);
    expect(HostConfig.PidsLimit).toBe(512);
    expect(docker('exec', container, 'grep', '^CapEff', '/proc/1/status')).toMatch(/^CapEff:\s+0{16}$/);
    expect(() => docker('exec', container, 'touch', '/written')).toThrow(/Read-only file system/);
  });

  it("the admin password is mongod's, in a group of its own that only the database-user one-shot joins: not the API's group", () => {
    const mongo = `${stack.projectName}-mongodb-1`;
    const groupsAdded = (service: string) =>
      JSON.parse(docker('inspect', '--format', '{{json .HostConfig.GroupAdd}}', `${stack.projectName}-${service}-1`));

    expect(docker('exec', mongo, 'stat', '-c', '%u:%g %a', '/run/secrets/mongodb/admin-password')).toBe('999:1001 440');
    expect(groupsAdded('database-user')).toEqual(['1001']);
    expect(groupsAdded('favorites')).toBeNull();
  });

  it.each(['favorites', 'swapi-stub'])('%s: a write to its root filesystem fails', (service) => {
    expect(() => docker('exec', `${stack.projectName}-${service}-1`, 'touch', '/app/written')).toThrow(
      /Read-only file system/,
    );
  });

  it('credentials: runs as root only to hand each password file to its reader, with CHOWN its one capability', () => {
    const [{ Config, HostConfig }] = JSON.parse(docker('inspect', `${stack.projectName}-credentials-1`));

    expect(Config.User).toBe('0:0');
    expect(HostConfig.CapDrop).toEqual(['ALL']);
    expect(HostConfig.CapAdd).toEqual(['CHOWN']);
    expect(HostConfig.ReadonlyRootfs).toBe(true);
    expect(HostConfig.SecurityOpt).toContain('no-new-privileges:true');
  });

  it('publishes the API on the loopback address only', () => {
    const [{ HostConfig }] = JSON.parse(docker('inspect', `${stack.projectName}-favorites-1`));

    expect(HostConfig.PortBindings['3000/tcp']).toEqual([
      { HostIp: '127.0.0.1', HostPort: new URL(stack.baseUrl).port },
    ]);
  });
});

describe("network.yml: the course's `docker run` steps next to the stack", () => {
  // A container still attached to the named network would keep `down` from removing it, and one
  // that mounts the stack's credentials, `down -v` from removing that volume.
  afterAll(async () => {
    removeBreakContainers({ project: stack.projectName }, 'network');
    await Promise.all(started.splice(0).map((container) => container.stop()));
    await otherNetwork?.stop();
    otherNetwork = undefined;
  });

  it('when the API runs on the default bridge (no --network), "mongodb" does not resolve: ENOTFOUND', async () => {
    const ctx = await breakContext(stack, 'network');
    await breaks['default-bridge'].run(ctx);

    const { status, body } = await firstFailure(`http://127.0.0.1:${ctx.sparePort}`);

    expect(status).toBe(503);
    expect(body.database.lastError?.code).toBe('ENOTFOUND');
    expect(body.database.hint).toContain('"mongodb" is not a name this container can resolve');
    expect(body.database.hint).toContain('the default bridge has no DNS');
  });

  it('when the API runs on another user-defined network, "mongodb" does not resolve either: ENOTFOUND', async () => {
    otherNetwork = await new Network().start();
    const api = await apiContainer({ MONGODB_HOST: 'mongodb' }).withNetwork(otherNetwork).start();
    started.push(api);

    const { status, body } = await firstFailure(apiUrl(api));

    expect(status).toBe(503);
    expect(body.database.lastError?.code).toBe('ENOTFOUND');
    expect(body.database.hint).toContain('Put the API and MongoDB on one network');
  });

  // The stack's MongoDB requires a password: a container of the course's steps needs the API's
  // credentials too, i.e. the stack's volume that holds them and the user name.
  const signedIn = (env: Record<string, string> = {}) =>
    signedInApiContainer('mongodb', `${stack.projectName}_api-credentials`, env);

  it('when the API joins the named network with `docker run --network` and no credentials, it reaches "mongodb" but is refused: UNAUTHORIZED', async () => {
    const api = await apiContainer({ MONGODB_HOST: 'mongodb' }).withNetworkMode(networkName).start();
    started.push(api);

    const { status, body } = await firstFailure(apiUrl(api));

    expect(status).toBe(503);
    expect(body.database.resolvedAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(body.database.lastError?.code).toBe('UNAUTHORIZED');
    expect(body.database.hint).toContain('set MONGODB_USERNAME and MONGODB_PASSWORD or MONGODB_PASSWORD_FILE');
  });

  it('when it also gets the API\'s user and password file, it reaches "mongodb" and reads the stack\'s favorites', async () => {
    const api = await signedIn().withNetworkMode(networkName).start();
    started.push(api);

    const { status, body } = await readinessUntil(apiUrl(api), (s) => s === 200);

    expect(status).toBe(200);
    expect(body.database).toMatchObject({
      host: 'mongodb',
      url: 'mongodb://favorites:****@mongodb:27017/swfavorites?authSource=admin',
    });
    const listed = await request(apiUrl(api)).get('/favorites');
    expect(listed.body.favorites.map((f: { name: string }) => f.name)).toContain(luke.name);
  });
});

describe('network.yml with MONGODB_USERNAME=intruder', () => {
  let ctx: BreakContext;

  beforeAll(async () => {
    ctx = await breakContext(stack, 'network');
  });

  // The break recreates the stack's API; its undo, `up` again, puts it back as it was.
  afterAll(() => ctx.compose(['up', '-d', '--wait', 'favorites']));

  it('when the password file does not belong to the user it names, MongoDB refuses it: AUTH_FAILED', async () => {
    await breaks['wrong-user'].run(ctx);

    const { status, body } = await firstFailure(stack.baseUrl);

    expect(status).toBe(503);
    expect(body.database.lastError?.code).toBe('AUTH_FAILED');
    expect(body.database.hint).toContain('MongoDB rejected the credentials');
  });
});

describe('network.yml: MongoDB requires a password, and the API holds only its own', () => {
  const inspectService = (service: string) => inspect(`${stack.projectName}-${service}-1`);
  const mounts = (service: string) =>
    inspectService(service)
      .Mounts.map(
        (m: { Name: string; Destination: string; RW: boolean }) =>
          `${m.Name.replace(`${stack.projectName}_`, '')} ${m.Destination} ${m.RW ? 'rw' : 'ro'}`,
      )
      .sort();

  it('each container mounts only the credentials it needs, read-only', () => {
    expect(mounts('favorites')).toEqual(['api-credentials /run/secrets/api ro']);
    expect(mounts('database-user')).toEqual([
      'api-credentials /run/secrets/api ro',
      'mongodb-credentials /run/secrets/mongodb ro',
    ]);
    expect(mounts('mongodb')).toEqual(expect.arrayContaining(['mongodb-credentials /run/secrets/mongodb ro']));
    expect(mounts('mongodb')).not.toEqual(expect.arrayContaining([expect.stringContaining('api-credentials')]));
  });

  it("no password is in any container's environment, only the files' paths", () => {
    const password = docker('exec', `${stack.projectName}-favorites-1`, 'cat', '/run/secrets/api/password');

    expect(password).toMatch(/^[A-Za-z0-9_-]{32}$/);
    for (const service of ['credentials', 'mongodb', 'database-user', 'favorites']) {
      expect(inspectService(service).Config.Env.join('\n')).not.toContain(password);
      expect(inspectService(service).Config.Env.join('\n')).not.toMatch(/PASSWORD=/);
    }
  });

  it('the one-shots made the passwords and the API user, and say which roles this server could grant', () => {
    const credentialsLog = docker('logs', `${stack.projectName}-credentials-1`);
    const userLog = docker('logs', `${stack.projectName}-database-user-1`);

    expect(credentialsLog).toMatch(/(created a random|kept the) password in \/run\/secrets\/mongodb\/admin-password/);
    expect(credentialsLog).toMatch(/(created a random|kept the) password in \/run\/secrets\/api\/password/);
    // The offline stand-in, FerretDB 1.x, authenticates users but has no roles; MongoDB grants readWrite.
    expect(userLog).toContain(
      images.mongo.includes('ferretdb')
        ? 'user "favorites" without roles: this server has none'
        : 'user "favorites": readWrite on "swfavorites", nothing else',
    );
  });
});

describe('network.yml: the named volume', () => {
  it('when the stack goes down without -v and comes up again, the favorites written through the API are still there', async () => {
    await stack.environment.down({ removeVolumes: false });
    stackIsDown = true;

    stack = await upStack('network.yml', { projectName: stack.projectName, env: { FAVORITES_NETWORK: networkName } });
    stackIsDown = false;

    await readinessUntil(stack.baseUrl, (s) => s === 200);
    const listed = await request(stack.baseUrl).get('/favorites');
    expect(listed.status).toBe(200);
    expect(listed.body.favorites).toEqual([expect.objectContaining(luke)]);
  });
});

describe('network.yml with MONGODB_HOST=localhost', () => {
  it('when the API is told MongoDB is on localhost, it is refused: ECONNREFUSED, localhost is the container itself', async () => {
    // Recreates only the API, as `MONGODB_HOST=localhost docker compose -f compose/network.yml up -d favorites` does.
    await breaks.localhost.run(await breakContext(stack, 'network'));

    const { status, body } = await firstFailure(stack.baseUrl);

    expect(status).toBe(503);
    expect(body.database).toMatchObject({ host: 'localhost', port: 27017 });
    expect(body.database.lastError?.code).toBe('ECONNREFUSED');
    expect(body.database.hint).toContain('localhost is the container itself');
    const favorites = await request(stack.baseUrl).get('/favorites');
    expect(favorites.status).toBe(503);
    expect(favorites.body.code).toBe('DATABASE_UNAVAILABLE');
  });

  it('`down -v` removes the containers, the network and the volume', async () => {
    await stack.environment.down();
    stackIsDown = true;

    expect(
      docker('ps', '-a', '--filter', `label=com.docker.compose.project=${stack.projectName}`, '--format', '{{.Names}}'),
    ).toBe('');
    expect(
      docker(
        'volume',
        'ls',
        '--filter',
        `label=com.docker.compose.project=${stack.projectName}`,
        '--format',
        '{{.Name}}',
      ),
    ).toBe('');
    expect(docker('network', 'ls', '--filter', `name=${networkName}`, '--format', '{{.Name}}')).toBe('');
  });
});
