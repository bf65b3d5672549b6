import request from 'supertest';
import { SCENARIOS } from '../../scripts/lib/scenarios';
import {
  addressOn,
  cleanUp,
  composeCli,
  firstFailure,
  readinessUntil,
  uniqueName,
  upStack,
  type ComposeProject,
  type Stack,
} from '../support/compose';
import { inspect } from '../support/docker';
import { freePort } from '../support/ports';
import { breakContext } from '../support/scenario';

// compose/network.yml with MongoDB stopped, or not created yet (the API started with --no-deps):
// a late or stopped database, with the `docker compose` commands a reader would type (MongoDB is
// stopped by `node scripts/stack.js network --break stopped`'s own code). Both projects are removed
// with `down --volumes`.

const startedAt = (container: string): string => inspect(container).State.StartedAt;

const BOTH_CAUSES = [
  '"mongodb" is not a name this container can resolve. Either no running container answers to it (MongoDB is stopped, or not started yet',
  'or the two share no user-defined network',
];

const stopped: ComposeProject = {
  file: 'network.yml',
  name: uniqueName('stopped'),
  env: { FAVORITES_NETWORK: uniqueName('net') },
};
const late: ComposeProject = {
  file: 'network.yml',
  name: uniqueName('late'),
  env: { FAVORITES_NETWORK: uniqueName('net') },
};
const projects = [stopped, late];

let stoppedStack: Stack | undefined;

beforeAll(async () => {
  for (const project of projects) project.env.FAVORITES_PORT = String(await freePort());
  stoppedStack = await upStack(stopped.file, { projectName: stopped.name, env: stopped.env });
});

// Every project, whether it came up or not.
afterAll(() =>
  cleanUp(projects.map((project) => () => composeCli(project, ['down', '--volumes', '--remove-orphans']))),
);

describe('network.yml: MongoDB stopped, then started again', () => {
  const api = () => `${stopped.name}-favorites-1`;
  let apiStartedAt = '';

  it('`docker compose stop mongodb`: /readyz is 503 with ENOTFOUND, and the hint names both causes (not running, or no shared network)', async () => {
    await readinessUntil(stoppedStack!.baseUrl, (s) => s === 200);
    apiStartedAt = startedAt(api());

    await SCENARIOS.network.breaks.stopped.run(await breakContext(stoppedStack!, 'network'));
    const { status, body } = await readinessUntil(
      stoppedStack!.baseUrl,
      (s, b) => s === 503 && b.database?.lastError?.code === 'ENOTFOUND',
    );

    expect(status).toBe(503);
    expect(body.database).toMatchObject({ host: 'mongodb', resolvedAddress: null, state: 'disconnected' });
    expect(body.database.lastError?.message).toBe('getaddrinfo ENOTFOUND mongodb');
    for (const cause of BOTH_CAUSES) expect(body.database.hint).toContain(cause);
    expect(inspect(`${stopped.name}-mongodb-1`).State.Status).toBe('exited');
    expect(inspect(api()).State.Status).toBe('running');
    const favorites = await request(stoppedStack!.baseUrl).get('/favorites');
    expect(favorites.status).toBe(503);
    expect(favorites.body.code).toBe('DATABASE_UNAVAILABLE');
  });

  it('`docker compose start mongodb`: the same API container (same StartedAt, no restart) becomes ready', async () => {
    composeCli(stopped, ['start', 'mongodb']);
    const { status, body } = await readinessUntil(stoppedStack!.baseUrl, (s) => s === 200, 60_000);

    expect(status).toBe(200);
    expect(body.database).toMatchObject({ state: 'connected', lastError: null });
    expect(body.database.resolvedAddress).toBe(addressOn(`${stopped.name}-mongodb-1`, stopped.env.FAVORITES_NETWORK));
    expect(startedAt(api())).toBe(apiStartedAt);
    expect(inspect(api()).RestartCount).toBe(0);
  });
});

describe('network.yml: the API started with --no-deps, before MongoDB exists', () => {
  const api = `${late.name}-favorites-1`;
  const baseUrl = () => `http://127.0.0.1:${late.env.FAVORITES_PORT}`;
  let apiStartedAt = '';

  it('`up -d --no-deps favorites` after the credentials one-shot: no MongoDB container, and /readyz is 503 with ENOTFOUND and both causes', async () => {
    composeCli(late, ['run', '--rm', 'credentials']);
    composeCli(late, ['up', '--detach', '--no-deps', 'favorites']);
    apiStartedAt = startedAt(api);

    expect(composeCli(late, ['ps', '--all', '--format', '{{.Service}} {{.State}}']).split('\n')).toEqual([
      'favorites running',
    ]);
    const { status, body } = await firstFailure(baseUrl(), 30_000);

    expect(status).toBe(503);
    expect(body.database).toMatchObject({ host: 'mongodb', resolvedAddress: null });
    expect(body.database.lastError?.code).toBe('ENOTFOUND');
    for (const cause of BOTH_CAUSES) expect(body.database.hint).toContain(cause);
  });

  it("`up -d database-user` starts MongoDB (and makes the API's user): the API becomes ready without a restart", async () => {
    composeCli(late, ['up', '--detach', 'database-user']);
    const { status, body } = await readinessUntil(baseUrl(), (s) => s === 200, 60_000);

    expect(status).toBe(200);
    expect(body.database.resolvedAddress).toBe(addressOn(`${late.name}-mongodb-1`, late.env.FAVORITES_NETWORK));
    expect(startedAt(api)).toBe(apiStartedAt);
    expect(inspect(api).RestartCount).toBe(0);
  });
});
