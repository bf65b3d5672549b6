import type { StartedDockerComposeEnvironment } from 'testcontainers';
import { composeFile, courseRequestsSucceed, firstFailure, inspectFormat, readinessUntil, uniqueName } from '../support/compose';
import { docker } from '../support/docker';
import { freePort } from '../support/ports';

// compose/loopback-db.yml: a MongoDB that listens only on its own loopback, inside its container.

describe('loopback-db.yml: MongoDB bound to 127.0.0.1 inside its own container', () => {
  const projectName = uniqueName('loopback-db');
  let port: string;
  let stack: StartedDockerComposeEnvironment | undefined;
  const container = (service: string) => `${projectName}-${service}-1`;

  beforeAll(async () => {
    port = String(await freePort());
    stack = await composeFile('loopback-db.yml', projectName, { FAVORITES_PORT: port }).up();
  });

  afterAll(async () => {
    await stack?.down();
  });

  it('MongoDB, started with --bind_ip 127.0.0.1, passes its healthcheck: the check runs inside its own container', () => {
    expect(inspectFormat(container('mongodb'), '{{json .Config.Cmd}} {{.State.Health.Status}}')).toBe('["--bind_ip","127.0.0.1"] healthy');
  });

  it('the database-user one-shot, the first client from another container, is refused: it exits 1 with ECONNREFUSED and the bind_ip hint', () => {
    expect(inspectFormat(container('database-user'), '{{.State.Status}} {{.State.ExitCode}}')).toBe('exited 1');
    const log = docker('logs', container('database-user'));
    expect(log).toContain("could not set up the API's MongoDB user (ECONNREFUSED)");
    expect(log).toContain('bind_ip 127.0.0.1 inside its container');
  });

  it('the API still starts, and MongoDB\'s own address refuses it: ECONNREFUSED, with the hint that names bind_ip', async () => {
    const mongoAddress = inspectFormat(container('mongodb'), '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}');

    const { status, body } = await firstFailure(`http://127.0.0.1:${port}`, 30_000);

    expect(status).toBe(503);
    expect(body.database).toMatchObject({ host: 'mongodb', port: 27017, resolvedAddress: mongoAddress });
    expect(body.database.lastError).toMatchObject({ code: 'ECONNREFUSED', message: `connect ECONNREFUSED ${mongoAddress}:27017` });
    expect(body.database.hint).toContain('listens only on its own loopback (bind_ip 127.0.0.1 inside its container)');
    expect(body.database.hint).toContain('bind_ip 0.0.0.0 (--bind_ip_all)');
  });

  it('with the fix, MONGODB_BIND_IP=0.0.0.0 and `up` again, database-user creates the user and the course requests work', async () => {
    stack = await composeFile('loopback-db.yml', projectName, { FAVORITES_PORT: port, MONGODB_BIND_IP: '0.0.0.0' }).up();
    const baseUrl = `http://127.0.0.1:${port}`;

    const { status, body } = await readinessUntil(baseUrl, (s) => s === 200, 60_000);

    expect(status).toBe(200);
    expect(body.database).toMatchObject({ host: 'mongodb', state: 'connected', lastError: null });
    expect(inspectFormat(container('mongodb'), '{{json .Config.Cmd}}')).toBe('["--bind_ip","0.0.0.0"]');
    expect(inspectFormat(container('database-user'), '{{.State.ExitCode}}')).toBe('0');
    await courseRequestsSucceed(baseUrl);
  });
});
