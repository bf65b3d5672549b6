import request from 'supertest';
import { SCENARIOS, type BreakContext } from '../../scripts/lib/scenarios';
import volumes from '../../scripts/lib/scenarios/volumes';
import { docker } from '../support/docker';
import { cleanUp, composeCli, readinessUntil, upStack, type Stack } from '../support/compose';
import { breakContext } from '../support/scenario';

// `node scripts/stack.js volumes --break lost-credentials`, from the real compose/volumes.yml: a
// favorite is saved, the stack stopped, the administrator's password file taken out of the
// mongodb-credentials volume (kept beside it), and the stack brought up again. The credentials
// one-shot writes a new password; MongoDB's data, set up with the old one, refuses it; database-user
// says why and how out, without touching the data; the old password put back brings it all back.
const failure = SCENARIOS.volumes.breaks['lost-credentials'];
let stack: Stack;
let ctx: BreakContext;
let dataVolumeBefore = '';
let state: { saved: string; up: string };
let shown = '';

const container = (service: string) => `${stack.projectName}-${service}-1`;
const dataVolume = () =>
  docker(
    'inspect',
    '-f',
    '{{range .Mounts}}{{if eq .Destination "/data/db"}}{{.Name}}{{end}}{{end}}',
    container('mongodb'),
  );
const project = () => ({ file: 'volumes.yml', name: stack.projectName, env: stack.env });

beforeAll(async () => {
  stack = await upStack('volumes.yml');
  await readinessUntil(stack.baseUrl, (s) => s === 200);
  ctx = await breakContext(stack, 'volumes');
  dataVolumeBefore = dataVolume();
  state = await failure.run(ctx);
  shown = await failure.show(ctx, state);
});

// Compose's own stack from the first `stop` on; `down --volumes` takes the anonymous data volume too.
afterAll(() => cleanUp([() => stack && composeCli(project(), ['down', '--volumes', '--remove-orphans'])]));

describe('volumes.yml: the administrator password lost after the data volume was initialised', () => {
  it('when database-user signs in with the new password, `up` fails on it, with MongoDB\'s "Authentication failed"', () => {
    expect(state.saved).toMatch(/^201 /);
    expect(state.up).toContain('service "database-user" didn\'t complete successfully: exit 1');
    expect(docker('logs', container('database-user'))).toContain('"error":"Authentication failed."');
  });

  it('database-user and stack.js say what happened (DATA_VOLUME_PASSWORD) and both ways out, none of them a deletion', () => {
    const log = docker('logs', container('database-user'));

    expect(log).toContain(
      "could not set up the API's MongoDB user (DATA_VOLUME_PASSWORD). MongoDB refused the administrator's password " +
        '(/run/secrets/mongodb/admin-password, written ',
    );
    expect(log).toContain('Nothing was deleted or changed: the data is intact.');
    expect(log).toContain('Restore the old password');
    expect(log).toContain('or start empty and keep the old data: give /data/db a new volume');
    expect(shown).toContain('ONE_SHOT_FAILED: database-user exited with 1, and its log ends:');
    expect(shown).toContain('(DATA_VOLUME_PASSWORD)');
  });

  it('nothing was rewritten: MongoDB kept its data volume, the credentials one-shot only added the missing file', () => {
    const credentials = docker('logs', container('credentials'));

    expect(dataVolume()).toBe(dataVolumeBefore);
    expect(credentials).toContain('created a random password in /run/secrets/mongodb/admin-password');
    expect(credentials).toContain('kept the password in /run/secrets/api/password');
    expect(docker('inspect', '-f', '{{.State.Status}}', container('favorites'))).not.toBe('running');
  });

  it('when the old password is put back, the same `up` works and the favorite saved before is there', async () => {
    docker(...volumes.restorePassword(ctx));
    composeCli(project(), ['up', '-d', '--wait']);

    const { status } = await readinessUntil(stack.baseUrl, (s) => s === 200);
    const listed = await request(stack.baseUrl).get('/favorites');

    expect(status).toBe(200);
    expect(listed.body.favorites.map((favorite: { name: string }) => favorite.name)).toContain(
      JSON.parse(state.saved.slice('201 '.length)).favorite.name,
    );
    expect(docker('logs', container('database-user'))).toContain('updated the user "favorites"');
  });
});
