import type { StartedDockerComposeEnvironment } from 'testcontainers';
import { SCENARIOS } from '../../scripts/lib/scenarios';
import {
  composeCli,
  composeFile,
  courseRequestsSucceed,
  firstFailure,
  inspectFormat,
  readinessUntil,
  uniqueName,
  type ComposeProject,
} from '../support/compose';
import { docker } from '../support/docker';
import { freePort } from '../support/ports';
import { breakContext } from '../support/scenario';

// compose/loopback-db.yml: a MongoDB that listens only on its own loopback, inside its container.
// The stack comes up as `node scripts/stack.js loopback-db` runs it (the module's env: every
// address), and its bind-loopback break binds MongoDB to 127.0.0.1.
const { breaks, env: workingEnv } = SCENARIOS['loopback-db'];

describe('loopback-db.yml: MongoDB bound to 127.0.0.1 inside its own container', () => {
  const projectName = uniqueName('loopback-db');
  const project: ComposeProject = { file: 'loopback-db.yml', name: projectName, env: { ...workingEnv } };
  let port: string;
  let stack: StartedDockerComposeEnvironment | undefined;
  const container = (service: string) => `${projectName}-${service}-1`;

  beforeAll(async () => {
    port = String(await freePort());
    project.env.FAVORITES_PORT = port;
    stack = await composeFile(project.file, projectName, project.env).up();
    await readinessUntil(`http://127.0.0.1:${port}`, (s) => s === 200, 60_000);
    await breaks['bind-loopback'].run(await breakContext({ projectName, env: project.env }, 'loopback-db'));
  });

  afterAll(async () => {
    await stack?.down();
  });

  it('MongoDB, started with --bind_ip 127.0.0.1, passes its healthcheck: the check runs inside its own container', () => {
    expect(inspectFormat(container('mongodb'), '{{json .Config.Cmd}} {{.State.Health.Status}}')).toBe(
      '["--bind_ip","127.0.0.1"] healthy',
    );
  });

  it('the database-user one-shot, the first client from another container, is refused: it exits 1 with ECONNREFUSED and the bind_ip hint', () => {
    // The break recreates MongoDB alone, after the one-shot ran against the working one: run it
    // again against this MongoDB, as `up` of the file's default would.
    composeCli(project, ['up', '-d', '--no-deps', '--force-recreate', 'database-user']);
    docker('wait', container('database-user'));

    expect(inspectFormat(container('database-user'), '{{.State.Status}} {{.State.ExitCode}}')).toBe('exited 1');
    const log = docker('logs', container('database-user'));
    expect(log).toContain("could not set up the API's MongoDB user (ECONNREFUSED)");
    expect(log).toContain('bind_ip 127.0.0.1 inside its container');
  });

  it("the API still starts, and MongoDB's own address refuses it: ECONNREFUSED, with the hint that names bind_ip", async () => {
    const mongoAddress = inspectFormat(
      container('mongodb'),
      '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}',
    );

    const { status, body } = await firstFailure(`http://127.0.0.1:${port}`, 30_000);

    expect(status).toBe(503);
    expect(body.database).toMatchObject({ host: 'mongodb', port: 27017, resolvedAddress: mongoAddress });
    expect(body.database.lastError).toMatchObject({
      code: 'ECONNREFUSED',
      message: `connect ECONNREFUSED ${mongoAddress}:27017`,
    });
    expect(body.database.hint).toContain('listens only on its own loopback (bind_ip 127.0.0.1 inside its container)');
    expect(body.database.hint).toContain('bind_ip 0.0.0.0 (--bind_ip_all)');
  });

  it('with the fix, MONGODB_BIND_IP=0.0.0.0 and `up` again, database-user creates the user and the course requests work', async () => {
    stack = await composeFile('loopback-db.yml', projectName, {
      FAVORITES_PORT: port,
      MONGODB_BIND_IP: '0.0.0.0',
    }).up();
    const baseUrl = `http://127.0.0.1:${port}`;

    const { status, body } = await readinessUntil(baseUrl, (s) => s === 200, 60_000);

    expect(status).toBe(200);
    expect(body.database).toMatchObject({ host: 'mongodb', state: 'connected', lastError: null });
    expect(inspectFormat(container('mongodb'), '{{json .Config.Cmd}}')).toBe('["--bind_ip","0.0.0.0"]');
    expect(inspectFormat(container('database-user'), '{{.State.ExitCode}}')).toBe('0');
    await courseRequestsSucceed(baseUrl);
  });
});
