import { SCENARIOS } from '../../scripts/lib/scenarios';
import { tutorialClient } from '../../scripts/lib/scenarios/evidence';
import { cleanUp, composeCli, firstFailure, readinessUntil, uniqueName, upStack, type Stack } from '../support/compose';
import { docker } from '../support/docker';
import { breakContext } from '../support/scenario';

// compose/network.yml with its MongoDB made the one member of a replica set that names itself
// mongo1, a name only its own container resolves: the error people paste from a replica set set up
// with rs.initiate() or a hostname. The break runs on the offline stand-in (FerretDB, whose hello then
// lists the set's name and members as the official image's does); on the official image its run() says so.

const { breaks } = SCENARIOS.network;
const PASTED = 'MongoServerSelectionError: getaddrinfo ENOTFOUND mongo1';

let stack: Stack | undefined;
const networkName = uniqueName('net');
const project = () => ({ file: 'network.yml', name: stack!.projectName, env: stack!.env });

beforeAll(async () => {
  stack = await upStack('network.yml', { env: { FAVORITES_NETWORK: networkName } });
});

afterAll(() => cleanUp([() => stack && composeCli(project(), ['down', '--volumes'])]));

describe('network.yml: a replica set whose member names the API cannot resolve', () => {
  it('before the break, MongoDB is no replica set and the API is ready', async () => {
    const { status } = await readinessUntil(stack!.baseUrl, (s) => s === 200);

    expect(status).toBe(200);
  });

  it(`after replica-set-name, /readyz is 503 REPLICA_SET_MEMBER, "getaddrinfo ENOTFOUND mongo1", topology ReplicaSetNoPrimary`, async () => {
    const ctx = await breakContext(stack!, 'network');
    await breaks['replica-set-name'].run(ctx);

    const { status, body } = await firstFailure(stack!.baseUrl, 30_000);

    expect(status).toBe(503);
    expect(body.database.lastError).toMatchObject({
      code: 'REPLICA_SET_MEMBER',
      message: 'getaddrinfo ENOTFOUND mongo1',
    });
    expect(body.database.hint).toContain(
      'mongodb:27017 answered as a member of replica set "rs0", which names its members mongo1:27017',
    );
    expect(body.database.hint).toContain('(ENOTFOUND; topology ReplicaSetNoPrimary)');
    expect(body.database.hint).toContain('directConnection=true');
  });

  it('a client as tutorials write it (replicaSet=rs0) fails with the exact text people paste', async () => {
    const ctx = await breakContext(stack!, 'network');

    const printed = tutorialClient(ctx, networkName, 'mongodb://mongodb:27017/?replicaSet=rs0');

    expect(printed).toBe(`${PASTED}\ntopology ReplicaSetNoPrimary`);
  });

  it('the fix on the client: directConnection=true connects to the server as given', async () => {
    const ctx = await breakContext(stack!, 'network');

    const printed = tutorialClient(ctx, networkName, 'mongodb://mongodb:27017/?replicaSet=rs0&directConnection=true');

    expect(printed).toBe('connected, topology Single');
  });

  it('the fix on the network: with mongo1 as an alias of MongoDB there, the same API is ready, with no restart', async () => {
    const mongodb = `${stack!.projectName}-mongodb-1`;
    docker('network', 'disconnect', networkName, mongodb);
    docker('network', 'connect', '--alias', 'mongodb', '--alias', 'mongo1', networkName, mongodb);

    const { status, body } = await readinessUntil(stack!.baseUrl, (s) => s === 200, 30_000);

    expect(status).toBe(200);
    expect(body.database).toMatchObject({ host: 'mongodb', state: 'connected', lastError: null });
  });
});
