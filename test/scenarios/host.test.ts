import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StartedTestContainer } from 'testcontainers';
import { hostGatewayAddress } from '../../scripts/lib/engine';
import { toolboxImage } from '../../scripts/lib/images';
import { SCENARIOS } from '../../scripts/lib/scenarios';
import type { BreakContext } from '../../scripts/lib/scenarios';
import { docker, images } from '../support/docker';
import { startHostMongo, type MongoServer } from '../support/mongo-server';
import { freePort } from '../support/ports';
import { breakContainer, breakContext, removeBreakContainers } from '../support/scenario';
import host from '../../scripts/lib/scenarios/host';
import {
  apiContainer,
  apiUrl,
  courseRequestsSucceed,
  firstFailure,
  readinessUntil,
  uniqueName,
  upStack,
  type Stack,
} from '../support/compose';

const { breaks } = SCENARIOS.host;
const EXTRA_HOSTS_LINE = '`extra_hosts: ["host.docker.internal:host-gateway"]`';

// MongoDB "installed on the host": a MongoDB container that publishes its port on the address
// host-gateway stands for (the bridge gateway), which containers can reach, and not on every
// address: an unauthenticated test database has no business on the LAN. Shared by the file.
let hostMongo: MongoServer;
let gateway: string;

beforeAll(async () => {
  gateway = hostGatewayAddress(images.mongo);
  hostMongo = await startHostMongo(gateway);
});

afterAll(async () => {
  await hostMongo?.stop();
});

describe('host.yml: MongoDB on the host via host.docker.internal', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await upStack('host.yml', { env: { MONGODB_PORT: String(hostMongo.port) } });
  });

  afterAll(async () => {
    await stack?.environment.down();
  });

  it('when MongoDB listens on the host gateway address, the API reaches it through host-gateway and the course requests work', async () => {
    const { status, body } = await readinessUntil(stack.baseUrl, (s) => s === 200);

    expect(status).toBe(200);
    expect(body.database).toMatchObject({
      host: 'host.docker.internal',
      port: hostMongo.port,
      resolvedAddress: gateway,
      state: 'connected',
      lastError: null,
    });
    await courseRequestsSucceed(stack.baseUrl);
  });
});

describe('host.yml with a host MongoDB that requires a password', () => {
  let passwordDir: string;
  let passwordFile: string;
  let securedMongo: MongoServer;
  let stack: Stack;

  beforeAll(async () => {
    // The password in a file on the host, as `stack.js host` writes it: in a directory of the user's alone,
    // readable by the containers' users (mongod's, the API's) through the file's own bind mount.
    passwordDir = mkdtempSync(join(tmpdir(), 'host-mongodb-'));
    passwordFile = join(passwordDir, 'password');
    writeFileSync(passwordFile, `${randomBytes(24).toString('base64url')}\n`, { mode: 0o444 });
    let port = await freePort();
    while (port === hostMongo.port) port = await freePort();
    securedMongo = await startHostMongo(gateway, port, passwordFile);
    stack = await upStack('host.yml', {
      env: { MONGODB_PORT: String(port), MONGODB_USERNAME: 'admin', MONGODB_PASSWORD_FILE: passwordFile },
      services: ['favorites', 'swapi-stub'],
    });
  });

  afterAll(async () => {
    await stack?.environment.down();
    await securedMongo?.stop();
    rmSync(passwordDir, { recursive: true, force: true });
  });

  it('the API reads the password from the file compose mounts as a secret, never from its environment, and the course requests work', async () => {
    const { status } = await readinessUntil(stack.baseUrl, (s) => s === 200);
    const environment: string[] = JSON.parse(
      docker('inspect', '--format', '{{json .Config.Env}}', `${stack.projectName}-favorites-1`),
    );
    const password = readFileSync(passwordFile, 'utf8').trim();

    expect(status).toBe(200);
    await courseRequestsSucceed(stack.baseUrl);
    expect(environment).toContain('MONGODB_PASSWORD_FILE=/run/secrets/mongodb-password');
    expect(environment.filter((variable) => variable.includes(password))).toEqual([]);
  });
});

describe("host.docker.internal in the course's `docker run` of the API", () => {
  const started: StartedTestContainer[] = [];

  afterAll(async () => {
    await Promise.all(started.map((container) => container.stop()));
  });

  it('when the container has no extra host, host.docker.internal does not resolve: ENOTFOUND with the extra_hosts hint', async () => {
    const api = await apiContainer({
      MONGODB_HOST: 'host.docker.internal',
      MONGODB_PORT: String(hostMongo.port),
    }).start();
    started.push(api);

    const { status, body } = await firstFailure(apiUrl(api));

    expect(status).toBe(503);
    expect(body.database).toMatchObject({ host: 'host.docker.internal', resolvedAddress: null });
    expect(body.database.lastError?.code).toBe('ENOTFOUND');
    expect(body.database.hint).toContain(EXTRA_HOSTS_LINE);
  });

  it("when the container maps host.docker.internal to host-gateway (--add-host), it reaches the host's MongoDB", async () => {
    const api = await apiContainer({ MONGODB_HOST: 'host.docker.internal', MONGODB_PORT: String(hostMongo.port) })
      .withExtraHosts([{ host: 'host.docker.internal', ipAddress: 'host-gateway' }])
      .start();
    started.push(api);

    const { status, body } = await readinessUntil(apiUrl(api), (s) => s === 200);

    expect(docker('inspect', '--format', '{{json .HostConfig.ExtraHosts}}', api.getId())).toBe(
      '["host.docker.internal:host-gateway"]',
    );
    expect(status).toBe(200);
    expect(body.database).toMatchObject({ host: 'host.docker.internal', resolvedAddress: gateway, state: 'connected' });
  });
});

describe('host.yml with a host MongoDB that listens on 127.0.0.1 only', () => {
  let loopbackMongo: MongoServer;
  let stack: Stack;

  beforeAll(async () => {
    // `node scripts/stack.js host --break loopback-only`: `docker run -p 127.0.0.1:27017:27017 mongo`, what a host
    // MongoDB with bindIp 127.0.0.1 looks like from a container. Its port must differ from the gateway one's:
    // Docker may give both the same number on different addresses.
    let port = await freePort();
    while (port === hostMongo.port) port = await freePort();
    const env = { MONGODB_PORT: String(port), FAVORITES_PORT: String(await freePort()) };
    const projectName = uniqueName('host');
    let starting: Promise<MongoServer> | undefined;
    const ctx = await breakContext({ projectName, env }, 'host', {
      startHostMongo: (bindIp) => void (starting = startHostMongo(bindIp, port)),
    });
    await breaks['loopback-only'].run(ctx);
    if (!starting) throw new Error('the loopback-only break started no host MongoDB');
    loopbackMongo = await starting;
    // MongoDB is there before the API, so the API's first diagnosis is already about it. The stub plays no part
    // in this failure: only the API is started.
    stack = await upStack('host.yml', { env, services: ['favorites'], projectName });
  });

  afterAll(async () => {
    await stack?.environment.down();
    await loopbackMongo?.stop();
  });

  it("when the host's MongoDB binds 127.0.0.1, the gateway address refuses the API: ECONNREFUSED with the bindIp hint", async () => {
    const { status, body } = await firstFailure(stack.baseUrl);

    expect(status).toBe(503);
    expect(body.database).toMatchObject({
      host: 'host.docker.internal',
      port: loopbackMongo.port,
      resolvedAddress: gateway,
    });
    expect(body.database.lastError?.code).toBe('ECONNREFUSED');
    expect(body.database.hint).toContain('not only 127.0.0.1');
  });
});

describe("host.yml behind a firewall that drops the containers' traffic to the host", () => {
  let stack: Stack;
  const toolbox = (network: string, ...command: string[]) =>
    docker('run', '--rm', '--network', network, '--cap-add', 'NET_ADMIN', toolboxImage(), ...command);

  beforeAll(async () => {
    stack = await upStack('host.yml', { env: { MONGODB_PORT: String(hostMongo.port) }, services: ['favorites'] });
    await readinessUntil(stack.baseUrl, (s) => s === 200);
    // `node scripts/stack.js host --break firewall-drop`: builds the toolbox, and adds the DROP rule in the API's namespace.
    await breaks['firewall-drop'].run(await breakContext(stack, 'host'));
  });

  afterAll(async () => {
    await stack?.environment.down();
  });

  it("the rule is in the API container's own namespace, for the gateway address; the host still lets other containers through", () => {
    const api = `container:${stack.projectName}-favorites-1`;

    expect(toolbox(api, 'iptables', '-S', 'OUTPUT').split('\n')).toContain(
      `-A OUTPUT -d ${gateway}/32 -p tcp -m tcp --dport ${hostMongo.port} -j DROP`,
    );
    expect(toolbox('bridge', 'nc', '-z', '-w', '3', gateway, String(hostMongo.port))).toBe('');
  });

  it('when the packets are dropped, /readyz is 503 with a timeout to the gateway address and the firewall hint', async () => {
    const { status, body } = await firstFailure(stack.baseUrl);

    expect(status).toBe(503);
    expect(body.database).toMatchObject({
      host: 'host.docker.internal',
      port: hostMongo.port,
      resolvedAddress: gateway,
    });
    expect(body.database.lastError?.code).toBe('ETIMEDOUT');
    expect(body.database.hint).toContain("the host's firewall drops traffic from containers");
  });

  it('restarting the API drops the rule with its namespace: ready again', async () => {
    docker('restart', `${stack.projectName}-favorites-1`);

    const { status } = await readinessUntil(stack.baseUrl, (s) => s === 200);

    expect(status).toBe(200);
  });
});

describe('a mongodb+srv:// URL in a container whose DNS server is a loopback address', () => {
  let ctx: BreakContext;
  const started: string[] = [];

  beforeAll(async () => {
    ctx = await breakContext({ projectName: uniqueName('srv') }, 'host');
  });

  afterAll(() => {
    removeBreakContainers(ctx, 'host');
    started.forEach((name) => docker('rm', '-f', name));
  });

  it("when no DNS server answers (--dns 127.0.0.1), /readyz says DNS_SRV_FAILED with Node's `querySrv ECONNREFUSED` and the SRV name", async () => {
    // `node scripts/stack.js host --break srv-loopback-dns`.
    await breaks['srv-loopback-dns'].run(ctx);

    const { status, body } = await firstFailure(`http://127.0.0.1:${ctx.sparePort}`);

    expect(status).toBe(503);
    expect(body.database.lastError).toMatchObject({
      code: 'DNS_SRV_FAILED',
      message: 'querySrv ECONNREFUSED _mongodb._tcp.cluster0.example.net',
    });
    expect(body.database.hint).toContain(
      'No DNS server answered the lookup of the SRV record _mongodb._tcp.cluster0.example.net (ECONNREFUSED): this is DNS, not MongoDB.',
    );
    expect(docker('inspect', '--format', '{{json .HostConfig.Dns}}', breakContainer(ctx, 'srv-dns'))).toBe(
      '["127.0.0.1"]',
    );
  });

  it("when Docker's own choice of DNS server answers, the lookup gets an answer: the record does not exist", async () => {
    removeBreakContainers(ctx, 'host');
    const name = uniqueName('srv-answered');
    docker('run', '-d', '--name', name, ...host.srvApiArgs(ctx, []));
    started.push(name);

    const { status, body } = await firstFailure(`http://127.0.0.1:${ctx.sparePort}`);

    expect(status).toBe(503);
    expect(body.database.lastError?.code).toBe('DNS_SRV_FAILED');
    expect(body.database.lastError?.message).toMatch(
      /^querySrv (ENOTFOUND|ENODATA) _mongodb\._tcp\.cluster0\.example\.net$/,
    );
    expect(body.database.hint).toContain(
      'The DNS server answered that there is no SRV record _mongodb._tcp.cluster0.example.net',
    );
  });
});
