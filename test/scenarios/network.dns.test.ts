import request from 'supertest';
import type { ReadinessBody } from '../../services/favorites/src/health/readiness';
import { SCENARIOS, type BreakContext } from '../../scripts/lib/scenarios';
import { docker, images } from '../support/docker';
import { breakContainer, breakContext, removeBreakContainers } from '../support/scenario';
import {
  addressOn,
  composeFile,
  firstFailure,
  inspectFormat,
  readinessUntil,
  uniqueName,
  upStack,
  type Stack,
} from '../support/compose';

// Issue 10, scenarios 1 to 3: Docker's embedded DNS, names that survive recreation, and networks
// connected and disconnected at runtime. One network.yml stack for the whole file, on a network of
// this run's own; the fillers are this file's own too. The `docker run`-style API on the default
// bridge is the one `node scripts/stack.js network --break default-bridge` starts, by the same code.
const { breaks } = SCENARIOS.network;
const networkName = uniqueName('net');
let stack: Stack | undefined;
const fillers: string[] = [];

/** A container's address on this suite's network. */
const addressHere = (container: string) => addressOn(container, networkName);
const resolvConf = (container: string) => docker('exec', container, 'cat', '/etc/resolv.conf');
const startedAt = (container: string) => inspectFormat(container, '{{.State.StartedAt}}');
const mongoName = () => `${stack!.projectName}-mongodb-1`;
const apiName = () => `${stack!.projectName}-favorites-1`;

const EMBEDDED_DNS = /^nameserver 127\.0\.0\.11$/m;
// The two causes the hint names for a service name that does not resolve.
const NOT_RUNNING = 'no running container answers to it';
const NOT_SHARED = 'share no user-defined network';
const NO_BRIDGE_DNS = 'the default bridge has no DNS';

beforeAll(async () => {
  stack = await upStack('network.yml', { projectName: uniqueName('dns'), env: { FAVORITES_NETWORK: networkName } });
});

afterAll(async () => {
  // Everything attached to the network goes first, or `down` could not remove it.
  try {
    if (stack) removeBreakContainers({ project: stack.projectName }, 'network');
    if (fillers.length > 0) docker('rm', '-f', ...fillers);
  } finally {
    await stack?.environment.down();
  }
});

describe('DNS, shown: a user-defined network resolves names with the embedded DNS, the default bridge does not', () => {
  it('on the named network, /readyz resolves "mongodb" to the address docker inspect shows for MongoDB on that network', async () => {
    const { status, body } = await readinessUntil(stack!.baseUrl, (s) => s === 200);

    expect(status).toBe(200);
    expect(body.database).toMatchObject({ host: 'mongodb', state: 'connected', lastError: null });
    expect(body.database.resolvedAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(body.database.resolvedAddress).toBe(addressHere(mongoName()));
  });

  it("on the named network, the API container's resolver is Docker's embedded DNS, nameserver 127.0.0.11", () => {
    const conf = resolvConf(apiName());

    expect(conf).toMatch(EMBEDDED_DNS);
  });

  describe('an API started the `docker run` way, with no --network, on the default bridge', () => {
    let ctx: BreakContext;

    beforeAll(async () => {
      ctx = await breakContext(stack!, 'network');
      await breaks['default-bridge'].run(ctx);
    });

    it('its resolver is not the embedded DNS: resolv.conf names no 127.0.0.11', () => {
      const conf = resolvConf(breakContainer(ctx, 'default-bridge'));

      expect(conf).toMatch(/^nameserver /m);
      expect(conf).not.toContain('127.0.0.11');
    });

    it('"mongodb" does not resolve: /readyz is 503 ENOTFOUND, no resolved address, and the hint says the default bridge has no DNS', async () => {
      const { status, body } = await firstFailure(`http://127.0.0.1:${ctx.sparePort}`);

      expect(status).toBe(503);
      expect(body.database).toMatchObject({ host: 'mongodb', resolvedAddress: null });
      expect(body.database.lastError?.code).toBe('ENOTFOUND');
      expect(body.database.hint).toContain(NOT_SHARED);
      expect(body.database.hint).toContain(NO_BRIDGE_DNS);
    });
  });
});

describe('connect and disconnect at runtime: one API container, never restarted, joins and leaves the named network', () => {
  // The API of `--break default-bridge`, signed in with the stack's credentials, started afresh.
  let api: string;
  let apiUrl: string;
  let startedAtFirst: string;

  beforeAll(async () => {
    const ctx = await breakContext(stack!, 'network');
    await breaks['default-bridge'].run(ctx);
    api = breakContainer(ctx, 'default-bridge');
    apiUrl = `http://127.0.0.1:${ctx.sparePort}`;
    startedAtFirst = startedAt(api);
  });

  it('on the default bridge, with the right credentials, "mongodb" still does not resolve: 503 ENOTFOUND', async () => {
    const { status, body } = await firstFailure(apiUrl);

    expect(status).toBe(503);
    expect(body.database.lastError?.code).toBe('ENOTFOUND');
    expect(body.database.hint).toContain(NOT_SHARED);
  });

  it('after `docker network connect`, the same container (same start time) becomes ready, resolving "mongodb" through 127.0.0.11', async () => {
    docker('network', 'connect', networkName, api);

    const { status, body } = await readinessUntil(apiUrl, (s) => s === 200, 30_000);

    expect(status).toBe(200);
    expect(body.database).toMatchObject({ host: 'mongodb', state: 'connected', lastError: null });
    expect(body.database.resolvedAddress).toBe(addressHere(mongoName()));
    expect(resolvConf(api)).toMatch(EMBEDDED_DNS);
    expect(startedAt(api)).toBe(startedAtFirst);
    expect(inspectFormat(api, '{{.RestartCount}}')).toBe('0');
  });

  it('after `docker network disconnect`, the same container answers 503 again: ENOTFOUND, once the connection that was open has timed out', async () => {
    docker('network', 'disconnect', networkName, api);

    // Every diagnosis /readyz gives from the disconnect until "mongodb" stops resolving.
    const seen: ReadinessBody[] = [];
    const { status, body } = await readinessUntil(
      apiUrl,
      (s, b) => {
        if (s === 503 && b.database?.lastError && seen.at(-1)?.database.lastError?.code !== b.database.lastError.code)
          seen.push(b);
        return s === 503 && b.database?.lastError?.code === 'ENOTFOUND';
      },
      30_000,
    );

    expect(status).toBe(503);
    expect(body.database.resolvedAddress).toBeNull();
    expect(body.database.lastError?.code).toBe('ENOTFOUND');
    expect(body.database.hint).toContain(NOT_RUNNING);
    expect(body.database.hint).toContain(NOT_SHARED);
    expect(startedAt(api)).toBe(startedAtFirst);
    // The resolver stays the embedded DNS: it just has no network left that knows "mongodb".
    expect(resolvConf(api)).toMatch(EMBEDDED_DNS);
    // Before that, a query on the connection that was open may time out (the API's own 2 s limit):
    // the name is looked up again first, so the hint says it no longer resolves, not "isolation".
    for (const earlier of seen.slice(0, -1)) {
      expect(earlier.database.lastError?.code).toBe('ETIMEDOUT');
      expect(earlier.database.hint).toContain(
        '"mongodb" no longer resolves: MongoDB\'s container is gone, or this container left the network',
      );
    }
  });
});

describe('names survive recreation: MongoDB comes back at another address, and the API follows the name', () => {
  const leia = { type: 'character', name: 'Leia Organa', url: 'https://swapi.dev/api/people/5/' };
  let before: { mongoId: string; mongoIp: string; apiId: string; apiStartedAt: string };
  let gone: { status: number; body: ReadinessBody };
  let heldOldAddress: string;
  let back: { status: number; body: ReadinessBody };

  beforeAll(async () => {
    await readinessUntil(stack!.baseUrl, (s) => s === 200);
    const saved = await request(stack!.baseUrl).post('/favorites').send(leia);
    expect(saved.status).toBe(201);
    before = {
      mongoId: inspectFormat(mongoName(), '{{.Id}}'),
      mongoIp: addressHere(mongoName()),
      apiId: inspectFormat(apiName(), '{{.Id}}'),
      apiStartedAt: startedAt(apiName()),
    };

    // `docker compose rm -sfv mongodb`: the container goes, its data stays in the named volume.
    docker('rm', '-fv', mongoName());
    // Docker hands out the lowest free address: fillers take the freed ones until one holds
    // MongoDB's old address, so the new MongoDB cannot get it back.
    for (let i = 0; i < 8 && heldOldAddress === undefined; i += 1) {
      const filler = uniqueName('dns-filler');
      fillers.push(filler);
      docker('run', '-d', '--name', filler, '--network', networkName, '--entrypoint', 'sleep', images.api, 'infinity');
      if (addressHere(filler) === before.mongoIp) heldOldAddress = filler;
    }
    gone = await readinessUntil(
      stack!.baseUrl,
      (s, b) => s === 503 && ['ENOTFOUND', 'EAI_AGAIN'].includes(b.database?.lastError?.code ?? ''),
      30_000,
    );

    // `docker compose -f compose/network.yml up -d mongodb`: the same file, project and variables.
    await composeFile('network.yml', stack!.projectName, {
      FAVORITES_NETWORK: networkName,
      FAVORITES_PORT: new URL(stack!.baseUrl).port,
    }).up(['mongodb']);
    back = await readinessUntil(stack!.baseUrl, (s) => s === 200, 60_000);
  });

  it('a filler container holds the old address, and the new MongoDB container has a different one', () => {
    expect(heldOldAddress).toBeDefined();
    expect(addressHere(heldOldAddress)).toBe(before.mongoIp);
    expect(inspectFormat(mongoName(), '{{.Id}}')).not.toBe(before.mongoId);
    expect(addressHere(mongoName())).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(addressHere(mongoName())).not.toBe(before.mongoIp);
  });

  it('while MongoDB is gone, /readyz is 503 ENOTFOUND, and the hint names both causes: not running, or no shared network', () => {
    const { status, body } = gone;

    expect(status).toBe(503);
    expect(body.code).toBe('DATABASE_UNAVAILABLE');
    expect(body.database).toMatchObject({ host: 'mongodb', resolvedAddress: null });
    expect(body.database.lastError?.code).toBe('ENOTFOUND');
    expect(body.database.hint).toContain(NOT_RUNNING);
    expect(body.database.hint).toContain(NOT_SHARED);
  });

  it('the API recovers without a restart (same container, same start time), and "mongodb" now resolves to the new address inside it', () => {
    const { status, body } = back;

    expect(status).toBe(200);
    expect(inspectFormat(apiName(), '{{.Id}}')).toBe(before.apiId);
    expect(startedAt(apiName())).toBe(before.apiStartedAt);
    expect(inspectFormat(apiName(), '{{.RestartCount}}')).toBe('0');
    expect(body.database).toMatchObject({ host: 'mongodb', state: 'connected', lastError: null });
    // The API container's own resolver (the embedded DNS) gives the new address.
    expect(docker('exec', apiName(), 'getent', 'hosts', 'mongodb').split(/\s+/)[0]).toBe(addressHere(mongoName()));
    // And /readyz shows it: each check looks the name up again.
    expect(body.database.resolvedAddress).toBe(addressHere(mongoName()));
  });

  it('the favorite written before the recreation is still listed: the data is in the named volume', async () => {
    const listed = await request(stack!.baseUrl).get('/favorites');

    expect(listed.status).toBe(200);
    expect(listed.body.favorites).toEqual(expect.arrayContaining([expect.objectContaining(leia)]));
  });
});
