import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import { images } from './docker';

export interface MongoServer {
  /** Connection string for a database of this suite's own. */
  url: string;
  host: string;
  port: number;
  dbName: string;
  stop(): Promise<void>;
}

/** Counts a MongoDB container as started once the image's healthcheck (from compose/.env) passes. */
const readyWhenHealthy = <C extends GenericContainer>(container: C): C =>
  container
    .withHealthCheck({ test: ['CMD-SHELL', images.mongoHealthcheck], interval: 1000, timeout: 3000, retries: 30 })
    .withWaitStrategy(Wait.forHealthCheck())
    .withStartupTimeout(60_000);

/** The project's MongoDB image (official, or the offline stand-in), as a test container. */
export const mongoContainer = () => readyWhenHealthy(new GenericContainer(images.mongo));

/**
 * A real MongoDB-compatible server for one test suite: MONGODB_URL when set (a database of the
 * suite's own on it), otherwise a container of the project's MongoDB image with a published port.
 */
export async function startMongoServer(suite: string): Promise<MongoServer> {
  const dbName = `favorites_test_${suite.replace(/\W/g, '_')}_${process.pid}`;
  const external = process.env.MONGODB_URL;
  if (external) {
    const url = new URL(external);
    const port = Number(url.port || 27017);
    url.pathname = `/${dbName}`;
    return { url: url.toString(), host: url.hostname, port, dbName, stop: async () => undefined };
  }
  const container = await mongoContainer().withExposedPorts(27017).start();
  return serverIn(container, dbName);
}

/**
 * "MongoDB installed on your machine", as a container that publishes its port on the host on
 * `bindIp` only: the bridge gateway's address is reachable from containers, 127.0.0.1 is not.
 * With `adminPasswordFile` (a file on the host), it requires a password: user admin, that file's.
 */
export async function startHostMongo(bindIp: string, hostPort = 0, adminPasswordFile?: string): Promise<MongoServer> {
  const container = new HostPublishedMongo(bindIp, hostPort);
  if (adminPasswordFile) {
    container
      .withEnvironment({
        MONGO_INITDB_ROOT_USERNAME: 'admin',
        MONGO_INITDB_ROOT_PASSWORD_FILE: '/run/secrets/mongodb-password',
      })
      .withBindMounts([{ source: adminPasswordFile, target: '/run/secrets/mongodb-password', mode: 'ro' }]);
  }
  return serverIn(await readyWhenHealthy(container).start(), 'swfavorites');
}

function serverIn(container: StartedTestContainer, dbName: string): MongoServer {
  const host = container.getHost();
  const port = container.getMappedPort(27017);
  return {
    url: `mongodb://${host}:${port}/${dbName}`,
    host,
    port,
    dbName,
    stop: async () => void (await container.stop()),
  };
}

/** testcontainers publishes on every address; `docker run -p <ip>::27017` needs the host IP set. */
class HostPublishedMongo extends GenericContainer {
  constructor(
    private readonly bindIp: string,
    private readonly hostPort: number,
  ) {
    super(images.mongo);
    this.withExposedPorts(27017);
  }

  protected override async beforeContainerCreated(): Promise<void> {
    this.hostConfig.PortBindings = { '27017/tcp': [{ HostIp: this.bindIp, HostPort: String(this.hostPort) }] };
  }
}
