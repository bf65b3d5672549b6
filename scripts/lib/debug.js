// `node scripts/stack.js debug <scenario> [service]`: the lesson's network checks, run from inside a
// service's own network namespace by the toolbox image (scripts/images/toolbox), so they work for
// the FROM-scratch API too, where `docker exec … nslookup` finds no nslookup to run.
// Plain CommonJS with no dependencies, like the rest of stack.js.
// @ts-check
'use strict';

const { spawnSync } = require('node:child_process');
const { docker } = require('./engine');
const { buildToolboxImage, toolboxImage } = require('./images');
const { SCENARIOS } = require('./scenarios');

// The stack name docs/scenarios/swarm.md deploys with (`docker stack deploy … favorites`).
const SWARM_STACK = 'favorites';

/**
 * Which container to look from: a scenario's service, found by the labels compose (or swarm) puts
 * on its containers. Throws for an unknown scenario.
 * @param {string} scenario
 * @param {string | undefined} service default: the scenario's API service
 * @param {string} [project] the compose project (default favorites-<scenario>), or the swarm stack (default favorites)
 * @returns {{ service: string, filters: string[] }}
 */
function debugTarget(scenario, service, project) {
  const module = SCENARIOS[scenario];
  if (!module) throw new Error(`no scenario ${scenario}: one of ${Object.keys(SCENARIOS).join(', ')}`);
  const name = service ?? module.apiService ?? 'favorites';
  const stack = project ?? SWARM_STACK;
  const filters = module.runWith
    ? [`label=com.docker.stack.namespace=${stack}`, `label=com.docker.swarm.service.name=${stack}_${name}`]
    : [
        `label=com.docker.compose.project=${project ?? `favorites-${scenario}`}`,
        `label=com.docker.compose.service=${name}`,
        // Compose labels the images it builds with project and service too, so a `docker run` of the
        // API image carries them; only compose's own containers have a number (and are no one-off).
        'label=com.docker.compose.container-number',
        'label=com.docker.compose.oneoff=False',
      ];
  return { service: name, filters: filters.map((filter) => `--filter=${filter}`) };
}

/**
 * The database a container is configured with, read as the API reads its environment
 * (services/favorites/src/shared/config.ts): MONGODB_URL's first host, else MONGODB_HOST and
 * MONGODB_PORT. Undefined for a container that sets neither (not an API).
 * @param {Record<string, string | undefined>} env
 * @returns {{ host: string, port: number } | undefined}
 */
function databaseOf(env) {
  const url = env.MONGODB_URL;
  if (url) {
    // mongodb://user:password@host1:port1,host2/db?options; a mongodb+srv name is looked up as it is.
    const match = /^mongodb(\+srv)?:\/\/(?:[^@/]*@)?([^/?,]+)/.exec(url);
    if (!match) return undefined;
    const [, srv, first] = match;
    const bracketed = /^\[(.+)\](?::(\d+))?$/.exec(first); // an IPv6 address
    const [host, port] = bracketed ? [bracketed[1], bracketed[2]] : first.split(':');
    return { host, port: srv ? 27017 : Number(port ?? 27017) };
  }
  if (env.MONGODB_HOST === undefined) return undefined;
  // A --link's MONGODB_PORT=tcp://… is no port: the API refuses it, and 27017 is what it meant.
  const port = Number(env.MONGODB_PORT);
  return { host: env.MONGODB_HOST, port: Number.isInteger(port) && port > 0 ? port : 27017 };
}

/**
 * A container's environment, by name.
 * @param {string} container
 * @returns {Record<string, string>}
 */
function environmentOf(container) {
  const found = docker(['inspect', '--format', '{{json .Config.Env}}', container]);
  /** @type {string[]} */
  const entries = found.ok ? JSON.parse(found.stdout) : [];
  return Object.fromEntries(
    entries.map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]),
  );
}

/**
 * One file of a container, read with `docker cp` (a tar stream), so even an image with no cat shows it.
 * @param {string} container
 * @param {string} path
 */
function fileOf(container, path) {
  const copied = spawnSync('docker', ['cp', `${container}:${path}`, '-']);
  if (copied.status !== 0) return undefined;
  const size = parseInt(copied.stdout.subarray(124, 136).toString(), 8); // the tar header's size field, in octal
  return copied.stdout.subarray(512, 512 + size).toString('utf8');
}

/**
 * The first running container these `docker ps` filters match, by name: replica 1 of a scaled service.
 * @param {string[]} filters
 * @returns {string | undefined}
 */
const firstRunning = (filters) =>
  docker(['ps', '--format', '{{.Names}}', ...filters])
    .stdout.split('\n')
    .filter(Boolean)
    .sort()[0];

/**
 * Runs the checks in the namespace of a scenario's running service, printing what they print.
 * Returns the summary line, or throws when there is no such running container.
 * @param {{ scenario: string, service?: string, project?: string, images: Record<string, string | undefined>, log?: (line: string) => void }} options
 */
function debug({ scenario, service, project, images, log = console.log }) {
  const target = debugTarget(scenario, service, project);
  const container = firstRunning(target.filters);
  if (!container)
    throw new Error(
      `No running container of ${target.service} in ${scenario}: start it first (${SCENARIOS[scenario].runWith ?? `node scripts/stack.js ${scenario} --detach`}). ` +
        '--network container: joins only a running container.',
    );
  // The database this container is told to use; for one that is not an API, the scenario's API's.
  const environment = environmentOf(container);
  const isApi = databaseOf(environment) !== undefined;
  let database = databaseOf(environment);
  if (!database) {
    const api = firstRunning(debugTarget(scenario, undefined, project).filters);
    database = api ? databaseOf(environmentOf(api)) : undefined;
  }
  if (!database)
    throw new Error(`${container} is configured with no database (MONGODB_HOST or MONGODB_URL), nor is the API`);

  buildToolboxImage(images);
  const image = toolboxImage(images);
  const env = ['-e', `DB_HOST=${database.host}`, '-e', `DB_PORT=${database.port}`];
  if (isApi) env.push('-e', `API_PORT=${environment.PORT ?? '3000'}`);
  const networks = docker([
    'inspect',
    '--format',
    '{{range $name, $settings := .NetworkSettings.Networks}}{{$name}} {{$settings.IPAddress}} aliases {{join $settings.DNSNames " "}}{{"\\n"}}{{end}}',
    container,
  ]).stdout;
  log(
    `Looking from inside ${container} (scenario ${scenario}, service ${target.service}), on its networks:\n${networks}`,
  );
  log(`\n$ docker run --rm --network container:${container} ${env.join(' ')} ${image}`);
  const run = docker(['run', '--rm', '--network', `container:${container}`, ...env, image]);
  if (!run.ok && !run.stdout) throw new Error(`the toolbox did not run: ${run.stderr}`);
  log(run.stdout);
  // Docker gives a container that joins another's namespace that container's own resolv.conf; say
  // so where an engine does otherwise, as the lookups above then asked another server.
  const own = fileOf(container, '/etc/resolv.conf');
  const seen = /\$ cat \/etc\/resolv.conf\n([\s\S]*?)\n\n\$ /.exec(run.stdout)?.[1];
  if (own !== undefined && seen !== undefined && own.trim() !== seen.trim())
    log(`\nNote: ${container}'s own /etc/resolv.conf differs from the toolbox's (above):\n${own}`);
  return /^Summary: .*/m.exec(run.stdout)?.[0] ?? '';
}

module.exports = { debugTarget, databaseOf, debug };
