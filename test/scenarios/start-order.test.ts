import { SCENARIOS } from '../../scripts/lib/scenarios';
import { freePort } from '../support/ports';
import { cleanUp, composeCli, firstFailure, readinessUntil, uniqueName, type ComposeProject } from '../support/compose';
import { inspect } from '../support/docker';
import { breakContext } from '../support/scenario';

// compose/start-order.yml: depends_on without and with a health condition, brought up with the
// `docker compose` commands a reader would type (the early start by
// `node scripts/stack.js start-order --break service-started`'s own code, which sets
// FAVORITES_API_WAITS_FOR=service_started). Both projects are removed with `down --volumes`.

const early: ComposeProject = { file: 'start-order.yml', name: uniqueName('early'), env: {} };
const waits: ComposeProject = { file: 'start-order.yml', name: uniqueName('waits'), env: {} };
const projects = [early, waits];

const startedAt = (container: string): string => inspect(container).State.StartedAt;
/** When MongoDB's healthcheck first passed, from the health log `docker inspect` keeps (its last 5 checks). */
const firstHealthyAt = (container: string): number => {
  const log: { End: string; ExitCode: number }[] = inspect(container).State.Health.Log;
  const passed = log.find((check) => check.ExitCode === 0);
  if (!passed) throw new Error(`${container} has not passed a healthcheck yet: ${JSON.stringify(log)}`);
  return Date.parse(passed.End);
};

beforeAll(async () => {
  for (const project of projects) project.env.FAVORITES_PORT = String(await freePort());
});

// Every project, whether it came up or not.
afterAll(() =>
  cleanUp(projects.map((project) => () => composeCli(project, ['down', '--volumes', '--remove-orphans']))),
);

describe('start-order.yml: depends_on without and with a health condition', () => {
  it('service_started (the short form): the API starts before MongoDB is healthy, fails first, then becomes ready by itself', async () => {
    await SCENARIOS['start-order'].breaks['service-started'].run(
      await breakContext({ projectName: early.name, env: early.env }, 'start-order'),
    );
    const baseUrl = `http://127.0.0.1:${early.env.FAVORITES_PORT}`;
    const failure = await firstFailure(baseUrl, 30_000);
    const ready = await readinessUntil(baseUrl, (s) => s === 200, 60_000);

    // `up -d` returns once database-user has started, so MongoDB answers by then: what the API last
    // saw is AUTH_FAILED (its user is not made yet), or ECONNREFUSED from an attempt before MongoDB listened.
    expect(failure.status).toBe(503);
    expect(['AUTH_FAILED', 'ECONNREFUSED']).toContain(failure.body.database.lastError?.code);
    expect(ready.body.database.attempts).toBeGreaterThan(1);
    const apiStarted = Date.parse(startedAt(`${early.name}-favorites-1`));
    expect(apiStarted).toBeLessThan(firstHealthyAt(`${early.name}-mongodb-1`));
    expect(apiStarted).toBeGreaterThanOrEqual(Date.parse(startedAt(`${early.name}-mongodb-1`)));
  });

  it("service_healthy: the API starts only after MongoDB's first passing healthcheck", async () => {
    composeCli(waits, ['up', '--detach']);
    await readinessUntil(`http://127.0.0.1:${waits.env.FAVORITES_PORT}`, (s) => s === 200, 60_000);

    expect(Date.parse(startedAt(`${waits.name}-favorites-1`))).toBeGreaterThan(
      firstHealthyAt(`${waits.name}-mongodb-1`),
    );
  });
});
