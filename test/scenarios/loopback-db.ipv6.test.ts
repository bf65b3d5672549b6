import { SCENARIOS } from '../../scripts/lib/scenarios';
import { debianHostConf, runApi, tutorialClient } from '../../scripts/lib/scenarios/evidence';
import { readyzInside } from '../../scripts/lib/readyz';
import { cleanUp, composeCli, readinessUntil, uniqueName, type ComposeProject } from '../support/compose';
import { freePort } from '../support/ports';
import { breakContainer, breakContext, removeBreakContainers } from '../support/scenario';

// compose/loopback-db.yml's MongoDB on 127.0.0.1 only, with IPv6 on in its container (as on most
// hosts), and clients in its network namespace asking for localhost, which resolves to ::1 first:
// one that tries that address alone (Node 17 to 19, or autoSelectFamily=false) is refused at ::1.
// The break is `node scripts/stack.js loopback-db --break localhost-ipv6`'s own code.

const PASTED = 'MongoServerSelectionError: connect ECONNREFUSED ::1:27017';
const { breaks, env: workingEnv } = SCENARIOS['loopback-db'];
const project: ComposeProject = { file: 'loopback-db.yml', name: uniqueName('localhost-ipv6'), env: { ...workingEnv } };
const ref = { projectName: project.name, env: project.env };
const mongodb = `${project.name}-mongodb-1`;

beforeAll(async () => {
  project.env.FAVORITES_PORT = String(await freePort());
  composeCli(project, ['up', '-d', '--wait']);
  await readinessUntil(`http://127.0.0.1:${project.env.FAVORITES_PORT}`, (s) => s === 200, 60_000);
});

afterAll(() =>
  cleanUp([
    () => removeBreakContainers({ project: project.name }, 'loopback-db'),
    () => composeCli(project, ['down', '--volumes', '--remove-orphans']),
  ]),
);

describe('loopback-db.yml: localhost resolving to ::1 where MongoDB listens on 127.0.0.1 only', () => {
  it('after localhost-ipv6, the API that tries ::1 alone is 503 LOCALHOST_IPV6, "connect ECONNREFUSED ::1:27017"', async () => {
    const ctx = await breakContext(ref, 'loopback-db');
    await breaks['localhost-ipv6'].run(ctx);

    const shown = await breaks['localhost-ipv6'].show(ctx, undefined);
    const { status, body } = readyzInside(breakContainer(ctx, 'localhost-ipv6'));

    expect(status).toBe(503);
    expect(body.database?.lastError).toMatchObject({
      code: 'LOCALHOST_IPV6',
      message: 'connect ECONNREFUSED ::1:27017',
    });
    // The API's log line, in the evidence: the hint as written.
    expect(shown).toContain('(LOCALHOST_IPV6). "localhost" resolved to ::1, IPv6\'s loopback');
    expect(shown).toContain(`with mongodb://localhost:27017/?autoSelectFamily=false:\n${PASTED}\ntopology Unknown`);
  });

  it('the fixes on the client: 127.0.0.1, or trying the next address (the default since Node 20), connect', async () => {
    const ctx = await breakContext(ref, 'loopback-db');
    const inMongodb = `container:${mongodb}`;

    expect(tutorialClient(ctx, inMongodb, 'mongodb://127.0.0.1:27017/?autoSelectFamily=false')).toBe(
      'connected, topology Single',
    );
    expect(tutorialClient(ctx, inMongodb, 'mongodb://localhost:27017/')).toBe('connected, topology Single');
  });

  it('this API with its defaults and the same host.conf, asking for localhost in the same namespace, is ready: it falls back to 127.0.0.1', async () => {
    const ctx = await breakContext(ref, 'loopback-db');
    const api = breakContainer(ctx, 'localhost-ipv6');
    runApi(ctx, api, { network: `container:${mongodb}`, env: { MONGODB_HOST: 'localhost' }, args: debianHostConf() });

    let answer = readyzInside(api);
    for (let tries = 0; answer.status !== 200 && tries < 60; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      answer = readyzInside(api);
    }

    expect(answer.status).toBe(200);
    expect(answer.body.database).toMatchObject({ host: 'localhost', state: 'connected', lastError: null });
  });
});
