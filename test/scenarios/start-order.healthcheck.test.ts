import { SCENARIOS } from '../../scripts/lib/scenarios';
import { freePort } from '../support/ports';
import { cleanUp, composeCli, readinessUntil, uniqueName, type ComposeProject } from '../support/compose';
import { inspect } from '../support/docker';
import { breakContext } from '../support/scenario';

// compose/start-order.yml with MongoDB's healthcheck calling the `mongo` shell, as tutorials written
// before MongoDB 6.0 do: no image has it now (neither the official one nor the offline stand-in), so
// the check never passes and compose starts nothing that waits for it. Run by
// `node scripts/stack.js start-order --break mongo-shell-healthcheck`'s own code, from nothing.

const project: ComposeProject = { file: 'start-order.yml', name: uniqueName('mongo-shell'), env: {} };
const mongodb = `${project.name}-mongodb-1`;

beforeAll(async () => {
  project.env.FAVORITES_PORT = String(await freePort());
});

afterAll(() => cleanUp([() => composeCli(project, ['down', '--volumes', '--remove-orphans'])]));

describe('start-order.yml: a healthcheck that calls the removed `mongo` shell', () => {
  it('`up` fails with "dependency failed to start: container … is unhealthy", and the check says "mongo: not found" (exit 127)', async () => {
    const ctx = await breakContext({ projectName: project.name, env: project.env }, 'start-order');

    const composeError = await SCENARIOS['start-order'].breaks['mongo-shell-healthcheck'].run(ctx);

    expect(composeError).toContain(`dependency failed to start: container ${mongodb} is unhealthy`);
    const health = inspect(mongodb).State.Health;
    expect(health.Status).toBe('unhealthy');
    expect(health.Log.at(-1)).toMatchObject({ ExitCode: 127, Output: '/bin/sh: 1: mongo: not found\n' });
    // The database itself is fine: it is the check that cannot run.
    expect(inspect(mongodb).State.Running).toBe(true);
    expect(inspect(`${project.name}-favorites-1`).State.Running).toBe(false);
  });

  it("with the pinned check (mongosh, or the stand-in's), `up` again: MongoDB is healthy and the API ready", async () => {
    composeCli(project, ['up', '-d']);

    const { status } = await readinessUntil(`http://127.0.0.1:${project.env.FAVORITES_PORT}`, (s) => s === 200, 60_000);

    expect(status).toBe(200);
    expect(inspect(mongodb).State.Health.Status).toBe('healthy');
  });
});
