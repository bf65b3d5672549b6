/**
 * Runs alone (test/support/engine-lock.ts): `docker swarm init` and `leave` change the engine for
 * every container on it: they rewrite its iptables rules, add the ingress and docker_gwbridge
 * networks, and make the engine a swarm node.
 * @engine-wide
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, type NewmanRunSummary } from 'newman';
import request from 'supertest';
import { startLoad, type Answer } from '../../scripts/lib/faults';
import { ROOT, docker as runDocker } from '../../scripts/lib/engine';
import { buildBalancerImage } from '../../scripts/lib/images';
import { deployArgs, removeArgs } from '../../scripts/lib/scenarios/swarm';
import { readyzInside } from '../../scripts/lib/readyz';
import { docker, images, inspect } from '../support/docker';
import { eventually } from '../support/eventually';
import { freePort } from '../support/ports';
import { inspectService, serviceContainers, singleNodeSwarm, type Swarm } from '../support/swarm';
import {
  addressOn,
  courseRequestsSucceed,
  lookUp,
  luke,
  readinessUntil,
  stackEnv,
  uniqueName,
} from '../support/compose';

// Beyond one host, from the real compose/swarm.yml, on a single-node swarm that this suite makes
// and leaves (an engine that is a swarm manager already is used as it is, and stays one). It proves
// discovery (tasks.<service>), load balancing through the published balancer, self-healing,
// rolling updates and their automatic rollback, and that MongoDB's name is only known on its overlay.
// This engine's kernel has no IPVS: a service's virtual IP and the ingress routing mesh don't
// answer, so the stack uses DNS round robin (dnsrr) and a balancer published in host mode
// (compose/swarm.yml says why). Deployed with --resolve-image never: no registry here to ask for digests.
let swarm: Swarm;
const stackName = uniqueName('swarm');
const service = (name: string) => `${stackName}_${name}`;
const network = `${stackName}_favorites-net`;
const secrets = ['mongodb-admin-password', 'api-password', 'api-token'].map((name) => `${stackName}-${name}`);
/** The API's write token, the api-token secret: the balancer publishes on every interface, so writes need it. */
const TOKEN = randomBytes(24).toString('base64url');
const bearer = { Authorization: `Bearer ${TOKEN}` };
/** Where compose/swarm.yml places MongoDB; an engine that was a manager already may have it. */
const NODE_LABEL = 'favorites.mongodb';
let hadNodeLabel = false;
/** Image tags and services the tests make besides the stack's, removed in afterAll. */
const tags: string[] = [];
const extraServices: string[] = [];
const extraNetworks: string[] = [];
let baseUrl: string;

/** The balancer's API servers that have an address, and whether each is up, from HAProxy's runtime API. */
function balancerServers(): { name: string; address: string; up: boolean }[] {
  const [balancer] = serviceContainers(service('balancer'));
  const state = docker(
    'exec',
    balancer,
    'bash',
    '-c',
    'exec 3<>/dev/tcp/127.0.0.1/9999; echo "show servers state favorites" >&3; cat <&3',
  );
  const lines = state.split('\n');
  const columns = lines
    .find((line) => line.startsWith('# be_id'))!
    .slice(2)
    .split(' ');
  const rows = lines
    .filter((line) => /^\d+ favorites /.test(line))
    .map((line) => Object.fromEntries(line.split(' ').map((value, i) => [columns[i], value])));
  // srv_op_state 2: running, i.e. its health check passes.
  return rows
    .filter((row) => row.srv_addr !== '-')
    .map((row) => ({ name: row.srv_name, address: row.srv_addr, up: row.srv_op_state === '2' }));
}

const replicas = () => serviceContainers(service('favorites'));
const upServers = () => balancerServers().filter((server) => server.up);

/** Steady state: three replicas, each ready, and the balancer sending to those three and no other. */
async function threeReplicasBehindTheBalancer(): Promise<string[]> {
  let addresses: string[] = [];
  await eventually(
    () => {
      const ids = replicas();
      if (ids.length !== 3 || !ids.every((id) => readyzInside(id).status === 200)) return false;
      addresses = ids.map((id) => addressOn(id, network)).sort();
      return (
        JSON.stringify(
          upServers()
            .map((server) => server.address)
            .sort(),
        ) === JSON.stringify(addresses)
      );
    },
    120_000,
    { intervalMs: 500, lastSeen: () => `replicas ${replicas().length}, balancer ${JSON.stringify(balancerServers())}` },
  );
  return addresses;
}

/** How many of `count` requests, each on a new connection, each task name served. */
async function servedBy(count: number): Promise<Map<string, number>> {
  const tally = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const response = await fetch(`${baseUrl}/healthz`, { headers: { connection: 'close' } });
    expect(response.status).toBe(200);
    const name = String(response.headers.get('x-served-by'));
    tally.set(name, (tally.get(name) ?? 0) + 1);
  }
  return tally;
}

/** Every answer of a load run that is not a success: a status of 400 or more, or a socket error. */
const failures = (answers: Answer[]) =>
  answers.filter((answer) => answer.error !== undefined || (answer.status ?? 0) >= 400);

const COLLECTIONS = join(ROOT, 'collections');

/** The shipped Postman collection, run with newman as a user would, with the stack's token. */
const runCollection = (baseUrl: string) =>
  new Promise<NewmanRunSummary>((resolvePromise, reject) => {
    run(
      {
        collection: join(COLLECTIONS, 'favorites.postman_collection.json'),
        environment: join(COLLECTIONS, 'local.postman_environment.json'),
        envVar: [
          { key: 'baseUrl', value: baseUrl },
          { key: 'apiToken', value: TOKEN },
        ],
        reporters: [],
      },
      (error, summary) => (error ? reject(error) : resolvePromise(summary)),
    );
  });

/** `docker stack config` of a one-service stack file publishing `port`: its exit code, output and warnings. */
function stackConfig(port: string): { ok: boolean; stdout: string; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'stack-config-'));
  try {
    const file = join(dir, 'stack.yml');
    writeFileSync(file, `services:\n  balancer:\n    image: ${images.api}\n    ports:\n${port}\n`);
    return runDocker(['stack', 'config', '--compose-file', file]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `docker service update` and waits until it converged, or rolled back; throws if docker fails. */
const updateImage = (image: string) =>
  new Promise<void>((resolve, reject) => {
    const args = [
      'service',
      'update',
      '--detach=false',
      '--quiet',
      '--no-resolve-image',
      '--image',
      image,
      service('favorites'),
    ];
    // Not spawnSync: the load must keep running meanwhile.
    execFile('docker', args, { timeout: 180_000 }, (error) => (error ? reject(error) : resolve()));
  });

/** A new tag of the API image, as a release would have: the same image under another name. */
function newTag(): string {
  const image = `${images.api.split(':')[0]}:${stackName}-${randomBytes(2).toString('hex')}`;
  docker('tag', images.api, image);
  tags.push(image);
  return image;
}

beforeAll(async () => {
  buildBalancerImage(process.env);
  swarm = singleNodeSwarm();
  hadNodeLabel =
    docker('node', 'inspect', '--format', `{{index .Spec.Labels "${NODE_LABEL}"}}`, swarm.nodeId) === 'true';
  docker('node', 'update', '--label-add', `${NODE_LABEL}=true`, swarm.nodeId);
  for (const secret of secrets) {
    const value = secret.endsWith('-api-token') ? TOKEN : randomBytes(24).toString('base64url');
    const created = runDocker(['secret', 'create', secret, '-'], { input: value });
    if (!created.ok) throw new Error(`docker secret create ${secret}: ${created.stderr}`);
  }
  const port = String(await freePort());
  baseUrl = `http://127.0.0.1:${port}`;
  // As the scenario's page deploys it.
  const deployed = runDocker(deployArgs(stackName), {
    cwd: ROOT,
    env: { ...process.env, ...stackEnv({ FAVORITES_PORT: port, FAVORITES_SECRETS: stackName }) },
  });
  if (!deployed.ok) throw new Error(`docker stack deploy: ${deployed.stderr}`);
  await threeReplicasBehindTheBalancer();
  await readinessUntil(baseUrl, (status) => status === 200, 60_000);
});

afterAll(async () => {
  if (!swarm) return;
  try {
    for (const name of extraServices) runDocker(['service', 'rm', name]);
    runDocker(removeArgs(stackName));
    // The stack's volume can go only once its containers have, and the overlays once their tasks have.
    const containersLeft = (label: string) => runDocker(['ps', '-aq', '-f', `label=${label}`]).stdout !== '';
    await eventually(
      () =>
        ![
          `com.docker.stack.namespace=${stackName}`,
          ...extraServices.map((name) => `com.docker.swarm.service.name=${name}`),
        ].some(containersLeft),
      60_000,
      { intervalMs: 500 },
    );
    await eventually(() => !runDocker(['network', 'inspect', network]).ok, 30_000, { intervalMs: 500 });
    for (const name of extraNetworks) runDocker(['network', 'rm', name]);
    runDocker(['volume', 'rm', `${stackName}_favorites-data`]);
    if (tags.length > 0) runDocker(['image', 'rm', ...tags]);
  } finally {
    // Whatever failed above, the engine goes back to how it was: no swarm if there was none.
    if (swarm.createdHere) {
      await swarm.leave();
    } else {
      runDocker(['secret', 'rm', ...secrets]);
      if (!hadNodeLabel) runDocker(['node', 'update', '--label-rm', NODE_LABEL, swarm.nodeId]);
    }
  }
});

describe('swarm.yml on a single-node swarm', () => {
  it('tasks.favorites resolves, on the attachable overlay, to the address of every replica', async () => {
    const addresses = await threeReplicasBehindTheBalancer();

    const { exitCode, addresses: resolved } = lookUp(network, `tasks.${service('favorites')}`);

    expect(exitCode).toBe(0);
    expect(resolved.sort()).toEqual(addresses);
  });

  it('the balancer fills its servers from that DNS answer: the three replicas, all up', async () => {
    const addresses = await threeReplicasBehindTheBalancer();

    expect(
      upServers()
        .map((server) => server.address)
        .sort(),
    ).toEqual(addresses);
  });

  it('60 requests through the published port reach all three replicas, each named by its task in X-Served-By', async () => {
    await threeReplicasBehindTheBalancer();
    const tasks = docker(
      'service',
      'ps',
      '--filter',
      'desired-state=running',
      '--no-trunc',
      '--format',
      '{{.Name}}.{{.ID}}',
      service('favorites'),
    ).split('\n');

    const tally = await servedBy(60);

    expect([...tally.keys()].sort()).toEqual(tasks.sort());
  });

  it('the API signs in to MongoDB across the overlay, by its service name, as its own user: the course requests succeed', async () => {
    await threeReplicasBehindTheBalancer();

    await courseRequestsSucceed(baseUrl, luke, TOKEN);
  });

  it('a killed replica is replaced by a new task; a client sending requests all along sees no failure but POSTs in flight on it', async () => {
    await threeReplicasBehindTheBalancer();
    const [killed] = replicas();
    const load = startLoad(baseUrl, { writers: 2, readers: 4, tag: 'swarm-kill', token: TOKEN });

    docker('kill', killed);
    await threeReplicasBehindTheBalancer();
    const { answers } = await load.stop();

    expect(replicas()).not.toContain(killed);
    // A GET whose replica died is sent again to another; a POST is not (it could save twice): the
    // balancer answers 502 to each POST that was on the killed replica, at most one per writer.
    const failed = failures(answers);
    expect(failed.filter((answer) => answer.status !== 502)).toEqual([]);
    expect(failed.length).toBeLessThanOrEqual(2);
    expect(answers.length).toBeGreaterThan(failed.length);
  });

  it('docker service update to a new image tag replaces every replica, one at a time, with no failed request', async () => {
    await threeReplicasBehindTheBalancer();
    const before = replicas();
    const image = newTag();
    const load = startLoad(baseUrl, { writers: 2, readers: 4, tag: 'swarm-update', token: TOKEN });

    await updateImage(image);
    const { answers } = await load.stop();

    expect(inspectService(service('favorites')).UpdateStatus.State).toBe('completed');
    // "Converged" comes while the last old replica still drains (SHUTDOWN_DRAIN_MS): wait for it to go.
    await threeReplicasBehindTheBalancer();
    const after = replicas();
    expect(after.filter((id) => before.includes(id))).toEqual([]);
    expect(after.map((id) => docker('inspect', '--format', '{{.Config.Image}}', id))).toEqual([image, image, image]);
    expect(failures(answers)).toEqual([]);
  });

  it('an update to an image that cannot start rolls back by itself, with no failed request', async () => {
    await threeReplicasBehindTheBalancer();
    const running = inspectService(service('favorites')).Spec.TaskTemplate.ContainerSpec.Image;
    const broken = `${images.api.split(':')[0]}:${stackName}-broken`;
    const built = runDocker(['build', '--quiet', '--tag', broken, '-'], {
      input: `FROM ${images.api}\nCMD ["node", "-e", "process.exit(1)"]\n`,
    });
    if (!built.ok) throw new Error(`docker build ${broken}: ${built.stderr}`);
    tags.push(broken);
    const load = startLoad(baseUrl, { writers: 2, readers: 4, tag: 'swarm-rollback', token: TOKEN });

    // The CLI waits for the rollback too, and exits 0 after it.
    await updateImage(broken);
    const { answers } = await load.stop();

    const { UpdateStatus, Spec } = inspectService(service('favorites'));
    expect(UpdateStatus.State).toBe('rollback_completed');
    expect(Spec.TaskTemplate.ContainerSpec.Image).toBe(running);
    expect(failures(answers)).toEqual([]);
    await threeReplicasBehindTheBalancer();
  });

  it.each([
    ['on another overlay', true],
    ['attached to no overlay', false],
  ])('a service %s cannot resolve mongodb: its /readyz says ENOTFOUND', async (_where, onOverlay) => {
    const name = uniqueName('outsider');
    const networkArgs: string[] = [];
    if (onOverlay) {
      const elsewhere = uniqueName('elsewhere');
      docker('network', 'create', '--driver', 'overlay', elsewhere);
      extraNetworks.push(elsewhere);
      networkArgs.push('--network', elsewhere);
    }
    extraServices.push(name);
    docker(
      'service',
      'create',
      '--quiet',
      '--detach',
      '--no-resolve-image',
      '--name',
      name,
      ...networkArgs,
      '--env',
      'MONGODB_HOST=mongodb',
      images.api,
    );

    let readyz = { status: 0, body: {} } as ReturnType<typeof readyzInside>;
    await eventually(
      () => serviceContainers(name).some((id) => (readyz = readyzInside(id)).body.database?.lastError != null),
      60_000,
      { intervalMs: 500, lastSeen: () => JSON.stringify(readyz) },
    );

    expect(readyz.status).toBe(503);
    expect(readyz.body.database?.lastError?.code).toBe('ENOTFOUND');
  });
});

describe('swarm.yml: what its published balancer lets through', () => {
  it('the balancer listens on every interface of its node: its port binding has no address', async () => {
    await threeReplicasBehindTheBalancer();
    const [balancer] = serviceContainers(service('balancer'));

    const { Endpoint } = inspectService(service('balancer'));
    expect(Endpoint.Ports).toEqual([expect.objectContaining({ PublishMode: 'host', TargetPort: 8080 })]);
    // A service's port has no field for an address; the task's container binds all of them.
    expect(inspect(balancer).HostConfig.PortBindings).toEqual({
      '8080/tcp': [{ HostIp: '', HostPort: new URL(baseUrl).port }],
    });
  });

  it('a stack file cannot narrow it: host_ip is refused, and a short form with 127.0.0.1 loses its address', () => {
    const longForm = stackConfig('      - { target: 8080, published: 3999, mode: host, host_ip: 127.0.0.1 }');
    const shortForm = stackConfig("      - '127.0.0.1:3999:8080'");

    expect(longForm.ok).toBe(false);
    expect(longForm.stderr).toContain('Additional property host_ip is not allowed');
    expect(shortForm.ok).toBe(true);
    expect(shortForm.stderr).toContain("service will listen on '0.0.0.0'");
    expect(shortForm.stdout).not.toContain('127.0.0.1');
  });

  it('a DELETE through the balancer without the token is 401; with it, 204', async () => {
    await threeReplicasBehindTheBalancer();
    const favorite = { type: 'movie', name: `Swarm token ${stackName}`, url: 'https://swapi.dev/api/films/2/' };
    const created = await request(baseUrl).post('/favorites').set(bearer).send(favorite);
    expect(created.status).toBe(201);
    const path = `/favorites/${created.body.favorite.id}`;

    const withoutToken = await request(baseUrl).delete(path);
    const wrongToken = await request(baseUrl).delete(path).set('Authorization', `Bearer ${TOKEN}x`);
    const withToken = await request(baseUrl).delete(path).set(bearer);

    expect(withoutToken.status).toBe(401);
    expect(withoutToken.body).toMatchObject({ code: 'TOKEN_REQUIRED' });
    expect(withoutToken.headers['www-authenticate']).toBe('Bearer realm="favorites"');
    expect(wrongToken.status).toBe(401);
    expect(wrongToken.body).toMatchObject({ code: 'TOKEN_INVALID' });
    expect(withToken.status).toBe(204);
    expect((await request(baseUrl).get(path)).status).toBe(404);
  });

  it('a POST through the balancer without the token is 401 and saves nothing; reads need none', async () => {
    await threeReplicasBehindTheBalancer();
    const favorite = { type: 'movie', name: `Swarm no token ${stackName}`, url: 'https://swapi.dev/api/films/3/' };

    const refused = await request(baseUrl).post('/favorites').send(favorite);
    const listed = await request(baseUrl).get('/favorites?limit=200');

    expect(refused.status).toBe(401);
    expect(listed.status).toBe(200);
    expect(listed.body.favorites.map((saved: { name: string }) => saved.name)).not.toContain(favorite.name);
  });

  it('/readyz through the balancer says ready, and nothing of where the database is (PUBLIC_DIAGNOSIS=false)', async () => {
    await threeReplicasBehindTheBalancer();

    const res = await request(baseUrl).get('/readyz');

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ready', ready: true });
  });

  it("a Host header that is not its own gets 421 through the balancer; localhost and the balancer's checks pass", async () => {
    await threeReplicasBehindTheBalancer();

    const rebound = await request(baseUrl).get('/favorites').set('Host', 'rebind.example.net');
    const local = await request(baseUrl)
      .get('/favorites')
      .set('Host', `localhost:${new URL(baseUrl).port}`);

    expect(rebound.status).toBe(421);
    expect(rebound.body).toMatchObject({ code: 'HOST_NOT_ALLOWED' });
    expect(local.status).toBe(200);
    // HAProxy's /readyz checks send no Host: every replica is still up behind it.
    expect(upServers()).toHaveLength(3);
  });

  it('the shipped Postman collection, given the token (apiToken), passes every assertion through the balancer', async () => {
    await threeReplicasBehindTheBalancer();

    const summary = await runCollection(baseUrl);

    expect(summary.run.failures.map(({ source, error }) => `${source?.name}: ${error.message}`)).toEqual([]);
    expect(summary.run.stats.assertions.failed).toBe(0);
    expect(summary.run.stats.assertions.total).toBeGreaterThan(0);
  });
});
