import { SCENARIOS } from '../../scripts/lib/scenarios';
import { freePort } from '../support/ports';
import { cleanUp, composeCli, readinessUntil, uniqueName, type ComposeProject } from '../support/compose';
import { breakContext } from '../support/scenario';

// compose/start-order.yml with MongoDB stopped, and a client as mongoose's tutorials write it next to
// the API: mongoose's default buffering waits 10 s and fails with "buffering timed out", which names
// no cause; this API (bufferCommands: false) answers at once with the cause. Run by
// `node scripts/stack.js start-order --break mongoose-buffering`'s own code.

const PASTED = 'MongooseError: Operation `favorites.find()` buffering timed out after 10000ms';
const project: ComposeProject = { file: 'start-order.yml', name: uniqueName('buffering'), env: {} };

beforeAll(async () => {
  project.env.FAVORITES_PORT = String(await freePort());
  composeCli(project, ['up', '-d']);
});

afterAll(() => cleanUp([() => composeCli(project, ['down', '--volumes', '--remove-orphans'])]));

describe('start-order.yml: mongoose buffering while MongoDB is stopped', () => {
  const baseUrl = () => `http://127.0.0.1:${project.env.FAVORITES_PORT}`;

  it('before the break, the API is ready', async () => {
    const { status } = await readinessUntil(baseUrl(), (s) => s === 200, 60_000);

    expect(status).toBe(200);
  });

  it('after mongoose-buffering, the tutorial client prints the pasted text, and /readyz names the cause (ENOTFOUND)', async () => {
    const ctx = await breakContext({ projectName: project.name, env: project.env }, 'start-order');
    const failure = SCENARIOS['start-order'].breaks['mongoose-buffering'];
    await failure.run(ctx);

    const shown = await failure.show(ctx, undefined);

    expect(shown).toContain(`A mongoose client with its defaults, on the stack's network:\n${PASTED}\n`);
    expect(shown).toContain('"code": "ENOTFOUND"');
    expect(shown).toContain('"message": "getaddrinfo ENOTFOUND mongodb"');
  });

  it('the fix, MongoDB started again: the same API is ready, with no restart', async () => {
    composeCli(project, ['start', 'mongodb']);

    const { status } = await readinessUntil(baseUrl(), (s) => s === 200, 60_000);

    expect(status).toBe(200);
  });
});
