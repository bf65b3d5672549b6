import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import request from 'supertest';
import {
  DockerComposeEnvironment,
  GenericContainer,
  Wait,
  type StartedDockerComposeEnvironment,
  type StartedTestContainer,
} from 'testcontainers';
import type { ReadinessBody } from '../../services/favorites/src/health/readiness';
import { docker as runDocker } from '../../scripts/lib/engine';
import { docker, images, inspect } from './docker';
import { eventually } from './eventually';
import { freePort } from './ports';

export const COMPOSE_DIR = resolve(__dirname, '../../compose');
/** Every project and network a suite names starts with this, so they are easy to tell apart. */
export const PREFIX = 'favtest';

/** What every stack gets on top of the environment (which holds the images in use): the SWAPI stub instead of swapi.dev. */
export function stackEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    FAVORITES_API_IMAGE: images.api,
    COMPOSE_PROFILES: 'offline',
    // The same switch for compose/swarm.yml, which has no profiles: one replica of the stub.
    FAVORITES_SWAPI_STUB_REPLICAS: '1',
    SWAPI_BASE_URL: 'http://swapi-stub:8080/api',
    ...extra,
  };
}

export const uniqueName = (what: string) => `${PREFIX}-${what}-${randomBytes(3).toString('hex')}`;

export interface Stack {
  baseUrl: string;
  projectName: string;
  /** The variables it came up with (stackEnv() adds the rest), FAVORITES_PORT among them. */
  env: Record<string, string>;
  environment: StartedDockerComposeEnvironment;
}

/**
 * Brings up one of the real compose files (never a copy) under a project name of its own, with
 * the API on a free host port, and waits for every container's healthcheck.
 */
export async function upStack(
  file: string,
  options: { env?: Record<string, string>; services?: string[]; projectName?: string } = {},
): Promise<Stack> {
  const port = options.env?.FAVORITES_PORT ?? String(await freePort());
  const projectName = options.projectName ?? uniqueName(file.replace('.yml', ''));
  const env = { ...options.env, FAVORITES_PORT: port };
  const environment = await composeFile(file, projectName, env).up(options.services);
  return { baseUrl: `http://127.0.0.1:${port}`, projectName, env, environment };
}

/** A compose project a suite runs with the docker CLI: the file, the project's name, its variables. */
export interface ComposeProject {
  file: string;
  name: string;
  env: Record<string, string>;
}

/**
 * `docker compose -p <project> -f compose/<file> <args>`, as a reader types it, with the project's
 * variables (and `overrides`) on top of compose/.env; its trimmed output. Throws with compose's message
 * when it fails, unless `check` is false.
 */
export function composeCli(
  project: ComposeProject,
  args: string[],
  overrides: Record<string, string> = {},
  { check = true } = {},
): string {
  const result = runDocker(['compose', '-p', project.name, '-f', join(COMPOSE_DIR, project.file), ...args], {
    env: { ...process.env, ...stackEnv({ ...project.env, ...overrides }) },
  });
  if (check && !result.ok)
    throw new Error(`docker compose ${args.join(' ')} failed: ${result.stderr || result.error?.message}`);
  return result.stdout;
}

/**
 * Runs every cleanup step, even when one before it failed, and throws the first failure at the end:
 * for afterAll, so that one step that fails leaves nothing else behind.
 */
export async function cleanUp(steps: (() => unknown)[]): Promise<void> {
  const failures: unknown[] = [];
  for (const step of steps) {
    try {
      await step();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) throw failures[0];
}

export function composeFile(file: string, projectName: string, env: Record<string, string>): DockerComposeEnvironment {
  return new DockerComposeEnvironment(COMPOSE_DIR, file)
    .withProjectName(projectName)
    .withEnvironment(stackEnv(env))
    .withDefaultWaitStrategy(Wait.forHealthCheck())
    .withStartupTimeout(120_000);
}

type HealthCheck = Parameters<GenericContainer['withHealthCheck']>[0];
let apiHealthcheck: HealthCheck['test'] | undefined;

/**
 * The API image's own healthcheck, probed every second rather than every 5 s: what the compose
 * files' start_interval does (compose/parts/api.yml), which testcontainers cannot set.
 */
const apiImageHealthcheck = (): HealthCheck => ({
  test: (apiHealthcheck ??= JSON.parse(
    docker('image', 'inspect', '--format', '{{json .Config.Healthcheck.Test}}', images.api),
  )),
  interval: 1000,
  timeout: 3000,
  retries: 3,
});

/** The API image run as in the course's `docker run` steps, outside any compose file. */
export function apiContainer(env: Record<string, string>): GenericContainer {
  return new GenericContainer(images.api)
    .withEnvironment({ SWAPI_BASE_URL: 'http://swapi-stub:8080/api', ...env })
    .withExposedPorts(3000)
    .withHealthCheck(apiImageHealthcheck())
    .withWaitStrategy(Wait.forHealthCheck())
    .withStartupTimeout(60_000);
}

/**
 * The same, signed in to a stack's MongoDB as the API's user: the stack's password volume
 * (e.g. `<project>_api-credentials`) mounted read-only where the compose files mount it.
 */
export const signedInApiContainer = (
  host: string,
  credentialsVolume: string,
  env: Record<string, string> = {},
): GenericContainer =>
  apiContainer({
    MONGODB_HOST: host,
    MONGODB_USERNAME: 'favorites',
    MONGODB_PASSWORD_FILE: '/run/secrets/api/password',
    ...env,
  }).withBindMounts([{ source: credentialsVolume, target: '/run/secrets/api', mode: 'ro' }]);

/** Base URL of an API container started with apiContainer(). */
export const apiUrl = (container: StartedTestContainer) =>
  `http://${container.getHost()}:${container.getMappedPort(3000)}`;

/** Polls GET /readyz until `done` accepts the answer; returns the last status and body. */
export async function readinessUntil(
  baseUrl: string,
  done: (status: number, body: ReadinessBody) => boolean,
  timeoutMs = 30_000,
): Promise<{ status: number; body: ReadinessBody }> {
  let last: request.Response | undefined;
  await eventually(
    async () => {
      last = await request(baseUrl)
        .get('/readyz')
        .timeout(5000)
        .catch(() => undefined);
      return last !== undefined && done(last.status, last.body);
    },
    timeoutMs,
    { intervalMs: 250, lastSeen: () => `/readyz answered ${last?.status} ${JSON.stringify(last?.body)}` },
  );
  return { status: last!.status, body: last!.body };
}

/** Waits for the API's first diagnosis, i.e. a /readyz 503 that names an error code. */
export const firstFailure = (baseUrl: string, timeoutMs?: number) =>
  readinessUntil(baseUrl, (status, body) => status === 503 && body.database?.lastError !== null, timeoutMs);

export const luke = { type: 'character', name: 'Luke Skywalker', url: 'https://swapi.dev/api/people/1/' };

/** The course's requests against a running API: save a favorite, list favorites, list movies. */
export async function courseRequestsSucceed(baseUrl: string, favorite = luke, token?: string): Promise<void> {
  // The write token, for a stack whose API has one (swarm.yml).
  const saved = await request(baseUrl)
    .post('/favorites')
    .set(token ? { Authorization: `Bearer ${token}` } : {})
    .send(favorite);
  expect(saved.status).toBe(201);
  expect(saved.body).toMatchObject({ message: 'Favorite saved!', favorite });

  const listed = await request(baseUrl).get('/favorites');
  expect(listed.status).toBe(200);
  expect(listed.body.favorites).toEqual(expect.arrayContaining([expect.objectContaining(favorite)]));

  const movies = await request(baseUrl).get('/movies');
  expect(movies.status).toBe(200);
  expect(movies.body.movies.results.map((film: { title: string }) => film.title)).toContain('A New Hope');
}

/** One `docker inspect --format` value of a container. */
export const inspectFormat = (container: string, format: string): string =>
  docker('inspect', '--format', format, container);

/** The networks a container is on, by name, sorted. */
export const networksOf = (container: string): string[] =>
  Object.keys(inspect(container).NetworkSettings.Networks).sort();

/** A container's address on one network, as `docker inspect` has it. */
export const addressOn = (container: string, network: string): string =>
  docker('inspect', '--format', `{{(index .NetworkSettings.Networks "${network}").IPAddress}}`, container);

/**
 * `getent hosts <name>` in a throwaway container on `network` (the API image, which has glibc's
 * getent), as `docker run --rm --network <network> ... getent hosts <name>` would run it: the exit
 * code (0 found, 2 not found) and the addresses it printed.
 */
export function lookUp(network: string, name: string): { exitCode: number; addresses: string[] } {
  const output = docker(
    'run',
    '--rm',
    '--network',
    network,
    '--entrypoint',
    'sh',
    images.api,
    '-c',
    'getent hosts "$1"; echo "exit $?"',
    'getent',
    name,
  );
  const lines = output.split('\n');
  const exitCode = Number(lines.pop()?.replace('exit ', ''));
  return { exitCode, addresses: lines.map((line) => line.split(/\s+/)[0]) };
}

/** A TCP connect from the test to 127.0.0.1:port (never another address), as the scripts make it. */
export { connectOnLoopback } from './ports';
