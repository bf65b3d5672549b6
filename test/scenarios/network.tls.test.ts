import {
  DockerComposeEnvironment,
  Wait,
  type StartedDockerComposeEnvironment,
  type StartedTestContainer,
} from 'testcontainers';
import {
  apiUrl,
  COMPOSE_DIR,
  courseRequestsSucceed,
  readinessUntil,
  signedInApiContainer,
  stackEnv,
  uniqueName,
} from '../support/compose';
import { freePort } from '../support/ports';
import { makeCertificates } from '../../services/favorites/src/setup/tls-certificates';

// network.yml with the TLS override, compose/parts/mongodb-tls.yml (docs/tls.md): its one-shot makes
// a CA and MongoDB's certificate at `up`; MongoDB (or the offline stand-in) accepts TLS only, and
// the API trusts that CA alone. Both sides: the stack's API is ready over TLS; an API that does not
// use TLS, or uses it without the stack's CA, is refused, each with its own error in /readyz.
const projectName = uniqueName('tls');
const networkName = uniqueName('net');
let environment: StartedDockerComposeEnvironment;
let baseUrl: string;
const started: StartedTestContainer[] = [];

beforeAll(async () => {
  const port = String(await freePort());
  environment = await new DockerComposeEnvironment(COMPOSE_DIR, ['network.yml', 'parts/mongodb-tls.yml'])
    .withProjectName(projectName)
    .withEnvironment(stackEnv({ FAVORITES_PORT: port, FAVORITES_NETWORK: networkName }))
    .withDefaultWaitStrategy(Wait.forHealthCheck())
    .withStartupTimeout(120_000)
    .up();
  baseUrl = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  for (const container of started) await container.stop();
  await environment?.down({ removeVolumes: true });
});

/** An API outside the stack, on its network, signed in as the stack's API user. */
async function outsideApi(env: Record<string, string>, caFile?: string): Promise<string> {
  const api = await signedInApiContainer('mongodb', `${projectName}_api-credentials`, env)
    .withNetworkMode(networkName)
    .withCopyContentToContainer(caFile === undefined ? [] : [{ content: caFile, target: '/run/tls/ca.pem' }])
    .start();
  started.push(api);
  return apiUrl(api);
}

describe('network.yml with parts/mongodb-tls.yml: TLS to MongoDB', () => {
  it("the stack's API is ready over TLS with the stack's CA, and the course's requests work", async () => {
    const { status, body } = await readinessUntil(baseUrl, (s) => s === 200, 60_000);

    expect(status).toBe(200);
    expect(body.database.url).toBe(
      'mongodb://favorites:****@mongodb:27017/swfavorites?authSource=admin&tls=true&tlsCAFile=%2Frun%2Ftls%2Fca.pem',
    );
    await courseRequestsSucceed(baseUrl);
  });

  it('an API that does not use TLS is not served: /readyz 503', async () => {
    const url = await outsideApi({});

    const { status, body } = await readinessUntil(url, (s, b) => s === 503 && b.database?.lastError !== null, 60_000);

    // MongoDB reads the driver's plain hello as a broken TLS handshake and hangs up.
    expect(status).toBe(503);
    expect(body.database.lastError?.message).toMatch(/^connection <monitor> to [\d.]+:27017 closed$/);
  });

  it("an API that trusts another CA refuses the server's certificate: UNABLE_TO_VERIFY_LEAF_SIGNATURE, and the hint names MONGODB_TLS_CA_FILE", async () => {
    // Another CA, as a client that trusts the wrong one (or only the usual public ones) has.
    const url = await outsideApi({ MONGODB_TLS_CA_FILE: '/run/tls/ca.pem' }, makeCertificates(['mongodb']).ca);

    const { body } = await readinessUntil(url, (s, b) => s === 503 && b.database?.lastError !== null, 60_000);

    expect(body.database.lastError).toMatchObject({
      code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      message:
        'unable to verify the first certificate; if the root CA is installed locally, try running Node.js with --use-system-ca',
    });
    expect(body.database.hint).toContain(
      'The API refused the TLS certificate of mongodb:27017 (UNABLE_TO_VERIFY_LEAF_SIGNATURE): it trusts only the CA in MONGODB_TLS_CA_FILE',
    );
  });
});
