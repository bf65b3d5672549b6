import request from 'supertest';
import type { StartedTestContainer } from 'testcontainers';
import { SCENARIOS, type BreakContext } from '../../scripts/lib/scenarios';
import { docker, images } from '../support/docker';
import {
  apiUrl,
  cleanUp,
  composeCli,
  courseRequestsSucceed,
  luke,
  readinessUntil,
  signedInApiContainer,
  uniqueName,
  upStack,
  type Stack,
} from '../support/compose';
import { breakContext } from '../support/scenario';

// Scenario 13, from the real compose/volumes.yml: MongoDB keeps its data in the image's anonymous
// volume (`VOLUME /data/db`, in mongo and in the FerretDB stand-in alike), the passwords in named
// volumes. What really happens on `down` + `up`: the old anonymous volume is left dangling, the new
// container gets a new, empty one, so the favorites are gone and so are MongoDB's users; the
// administrator's password survived in its named volume, so MongoDB creates the administrator again
// and database-user creates (not updates) the API's user, and the API is ready at once, with an
// empty list. The dangling volume, mounted again at /data/db, brings the favorite back. That a
// named data volume survives `down`/`up` is network.test.ts's "data survives" test; here only that
// named volumes survive `down` and `down -v` removes them, with the anonymous volume in use, but not
// one that was already dangling. The `down` and `up` are `node scripts/stack.js volumes --break
// anonymous-volume`'s own code, run with the docker CLI: from then on the stack is compose's, not
// testcontainers', so it is taken down with `docker compose down --volumes` too.
let stack: Stack;
let ctx: BreakContext;
let firstVolume = '';
/** The volume the break left dangling, as it named it: removed at the end whatever the tests found. */
let leftDangling = '';
let recoveredDb = '';
let recoveredApi: StartedTestContainer | undefined;

const container = (service: string) => `${stack.projectName}-${service}-1`;
const dataVolumeOf = (name: string): string => {
  const [{ Mounts }] = JSON.parse(docker('inspect', name)) as [
    { Mounts: { Type: string; Name: string; Destination: string }[] },
  ];
  return Mounts.find((mount) => mount.Destination === '/data/db')?.Name ?? '';
};
const dangling = () => docker('volume', 'ls', '-q', '-f', 'dangling=true').split('\n');
const projectVolumes = () =>
  docker('volume', 'ls', '-q', '-f', `label=com.docker.compose.project=${stack.projectName}`)
    .split('\n')
    .filter(Boolean);
const createdAt = (volumes: string[]) =>
  volumes.map((volume) => docker('volume', 'inspect', '--format', '{{.CreatedAt}}', volume));
const names = (favorites: { name: string }[]) => favorites.map((favorite) => favorite.name);

beforeAll(async () => {
  stack = await upStack('volumes.yml');
  ctx = await breakContext(stack, 'volumes');
});

// The stack (whoever brought it up last), and the anonymous volume its first MongoDB left dangling.
afterAll(() =>
  cleanUp([
    () => recoveredApi?.stop(),
    () => recoveredDb && docker('rm', '-f', recoveredDb),
    () =>
      stack &&
      composeCli({ file: 'volumes.yml', name: stack.projectName, env: stack.env }, [
        'down',
        '--volumes',
        '--remove-orphans',
      ]),
    ...[firstVolume, leftDangling].map(
      (volume) => () =>
        volume && docker('volume', 'ls', '-q', '-f', `name=^${volume}$`) && docker('volume', 'rm', volume),
    ),
  ]),
);

describe('volumes.yml: an anonymous volume for /data/db', () => {
  it("MongoDB's /data/db is an anonymous volume (a 64-hex name, no compose volume label), the passwords are in named ones", async () => {
    await readinessUntil(stack.baseUrl, (s) => s === 200);
    firstVolume = dataVolumeOf(container('mongodb'));

    expect(firstVolume).toMatch(/^[0-9a-f]{64}$/);
    expect(docker('volume', 'inspect', '--format', '{{index .Labels "com.docker.compose.volume"}}', firstVolume)).toBe(
      '',
    );
    expect(projectVolumes().sort()).toEqual([
      `${stack.projectName}_api-credentials`,
      `${stack.projectName}_mongodb-credentials`,
    ]);
  });

  it('after `down` (without -v) and `up`, the favorite saved before is gone, MongoDB has a new volume, and the old one is dangling', async () => {
    await courseRequestsSucceed(stack.baseUrl, luke);
    const firstUserRun = docker('logs', container('database-user'));
    const namedVolumes = projectVolumes();
    const namedCreatedAt = createdAt(namedVolumes);

    // Saves a favorite of its own, then `down` and `up -d --wait`, and waits for /readyz 200.
    const { saved, volume } = await SCENARIOS.volumes.breaks['anonymous-volume'].run(ctx);
    leftDangling = volume;
    expect(volume).toBe(firstVolume);
    expect(dangling()).toContain(firstVolume);
    // The named ones survive `down`: the same two, not made again by `up` (they were created before it).
    expect(projectVolumes()).toHaveLength(2);
    expect(createdAt(namedVolumes)).toEqual(namedCreatedAt);

    const { status } = await readinessUntil(stack.baseUrl, (s) => s === 200);
    const listed = await request(stack.baseUrl).get('/favorites');

    expect(status).toBe(200);
    expect(listed.status).toBe(200);
    expect(names(listed.body.favorites)).not.toContain(luke.name);
    expect(saved).toMatch(/^201 /);
    expect(names(listed.body.favorites)).not.toContain(JSON.parse(saved.slice('201 '.length)).favorite.name);
    expect(dataVolumeOf(container('mongodb'))).toMatch(/^[0-9a-f]{64}$/);
    expect(dataVolumeOf(container('mongodb'))).not.toBe(firstVolume);
    // The users went with the data: database-user created the API's user both times, never "updated".
    expect(firstUserRun).toContain('created the user "favorites"');
    expect(docker('logs', container('database-user'))).toContain('created the user "favorites"');
  });

  it('the dangling volume, mounted again at /data/db (`docker run -v <volume>:/data/db`), brings the favorite back', async () => {
    const network = `${stack.projectName}_favorites-net`;
    recoveredDb = uniqueName('recovered');
    docker(
      'run',
      '-d',
      '--name',
      recoveredDb,
      '--network',
      network,
      '--network-alias',
      'recovered',
      '-v',
      `${firstVolume}:/data/db`,
      '-v',
      `${stack.projectName}_mongodb-credentials:/run/secrets/mongodb:ro`,
      '-e',
      'MONGO_INITDB_ROOT_USERNAME=admin',
      '-e',
      'MONGO_INITDB_ROOT_PASSWORD_FILE=/run/secrets/mongodb/admin-password',
      images.mongo,
    );
    recoveredApi = await signedInApiContainer('recovered', `${stack.projectName}_api-credentials`)
      .withNetworkMode(network)
      .start();

    const { status } = await readinessUntil(apiUrl(recoveredApi), (s) => s === 200);
    const listed = await request(apiUrl(recoveredApi)).get('/favorites');

    expect(status).toBe(200);
    expect(names(listed.body.favorites)).toContain(luke.name);
    expect(dangling()).not.toContain(firstVolume); // in use again
  });

  it('`down -v` removes the named volumes and the anonymous volume in use, but not the one that was already dangling', async () => {
    await recoveredApi!.stop();
    recoveredApi = undefined;
    docker('rm', '-f', recoveredDb);
    recoveredDb = '';
    const secondVolume = dataVolumeOf(container('mongodb'));

    ctx.compose(['down', '--volumes']);

    expect(projectVolumes()).toEqual([]);
    expect(docker('volume', 'ls', '-q', '-f', `name=^${secondVolume}$`)).toBe('');
    expect(dangling()).toContain(firstVolume);
    docker('volume', 'rm', firstVolume);
    expect(docker('volume', 'ls', '-q', '-f', `name=^${firstVolume}$`)).toBe('');
  });
});
