#!/usr/bin/env node
// One command for a scenario's stack, on any machine with Docker (or, as root on Debian, none yet):
//   node scripts/stack.js [<scenario>] [--break <failure>] [--detach]      (--help lists them)
//   node scripts/stack.js down [<scenario>] [--volumes]
//   node scripts/stack.js mongodb | down mongodb    (only MongoDB, on 127.0.0.1:27017, for `npm start`)
//   node scripts/stack.js debug <scenario> [<service>]   (network checks from inside a running service)
// It provisions what is missing (engine where allowed; images pulled, or built offline), brings
// the scenario up, waits until the API is ready, and prints the URL and requests to try. In the
// foreground it then shows the API's log; Ctrl-C takes the stack down (the data volume stays).
// --break shows one of the ways the scenario fails, as it looks to a user, and how to fix it.
// @ts-check
'use strict';

const { spawn, spawnSync } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { chmodSync, existsSync, mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const { connectOnLoopback } = require('./lib/ports');
const { removeContainer } = require('./lib/scenarios/evidence');
const { SCENARIOS, breakNames, containersOf, findBreak, networksOf } = require('./lib/scenarios');
const { docker, ensureEngine, hostGatewayAddress, ROOT } = require('./lib/engine');
const { buildsImages, ensureImages, pruneReplacedImages } = require('./lib/images');
const { readyzUntil } = require('./lib/readyz');
const { debug } = require('./lib/debug');
const { explainFailedUp } = require('./lib/stack-hints');

const { HOST_MONGO } = require('./lib/scenarios/host');

/** @typedef {import('./lib/scenarios').Break} Break */
/** @typedef {import('./lib/scenarios').BreakContext} BreakContext */
/** @typedef {import('./lib/scenarios').ComposeRunner} ComposeRunner */
/**
 * What the command line asks for.
 * @typedef {object} Options
 * @property {'up' | 'down'} command
 * @property {string} scenario a scenario's name, or 'mongodb'
 * @property {string} [failure] the --break name
 * @property {boolean} detach
 * @property {boolean} volumes
 */

// The scenarios it runs, each from compose/<name>.yml with its module's env, so that the stack works
// (`--break` then shows how it fails). The others (runWith) are run as their pages say.
const SCENARIO_NAMES = Object.keys(SCENARIOS).filter((name) => !SCENARIOS[name].runWith);
// Not a scenario: MongoDB alone, published on the host's loopback, for the API run with `npm start`.
const DEV_MONGO = 'favorites-dev-mongodb';
const port = Number(process.env.FAVORITES_PORT ?? '3000');
const api = `http://localhost:${port}`;
// A second API of a scenario (team B's, or one a break starts by hand) is published here.
const sparePort = port + 1;
// MongoDB "installed on your machine" for the host scenario, when nothing listens there already.
const HOST_MONGO_PORT = process.env.MONGODB_PORT ?? '27017';
// The password of the MongoDBs this script starts on the host (user admin): made once, in a directory
// of this user's alone, never in the repository's history (.gitignore) nor in an image (.dockerignore).
const DEV_MONGO_PASSWORD_FILE = join(ROOT, '.credentials', 'mongodb-password');

/** @type {import('./lib/images').EnvVariables} */
let images = {}; // the environment that selects the images in use (official, or offline stand-ins)

/** The MongoDB image in use: compose/.env pins it, so only a broken pin file leaves it unset. */
function mongoImage() {
  const image = images.FAVORITES_MONGO_IMAGE;
  if (!image) throw new Error('FAVORITES_MONGO_IMAGE is not set: compose/.env pins it');
  return image;
}

/**
 * @param {string} [message] what was wrong; none when --help asked
 * @returns {never}
 */
function usage(message) {
  if (message) console.error(message);
  // Asked for (--help): the answer, on stdout. After a mistake: on stderr, with exit code 2.
  (message
    ? console.error
    : console.log)(`usage: node scripts/stack.js [${SCENARIO_NAMES.join('|')}] [--break <failure>] [--detach]
       node scripts/stack.js down [<scenario>] [--volumes]
       node scripts/stack.js mongodb | down mongodb
       node scripts/stack.js debug <scenario> [<service>]     (any scenario, swarm too; default service: its API)
failures, by scenario:
${SCENARIO_NAMES.map((scenario) => `  ${scenario}: ${breaksOf(scenario).join(', ') || '-'}`).join('\n')}`);
  process.exit(message ? 2 : 0);
}

/** @param {string} scenario */
const breaksOf = (scenario) => Object.keys(SCENARIOS[scenario].breaks);

/**
 * @param {string[]} argv
 * @returns {Options}
 */
function parseArgs(argv) {
  /** @type {Omit<Options, 'scenario'> & { scenario?: string }} */
  const options = { command: 'up', scenario: undefined, failure: undefined, detach: false, volumes: false };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === 'down' || arg === 'up') options.command = arg;
    else if (SCENARIO_NAMES.includes(arg) || arg === 'mongodb') options.scenario = arg;
    else if (arg in SCENARIOS) usage(`stack.js does not run ${arg}: ${SCENARIOS[arg].runWith}`);
    else if (arg === '--break') options.failure = argv[++i];
    else if (arg === '--detach' || arg === '-d') options.detach = true;
    else if (arg === '--volumes' || arg === '-v') options.volumes = true;
    else if (arg === '--help' || arg === '-h') usage();
    else usage(`unknown argument: ${arg}`);
  }
  if (options.failure !== undefined) {
    const found = findBreak(options.failure);
    if (!found) usage(`--break takes one of: ${breakNames().join(', ')}`);
    const owner = found.scenario.name;
    if (options.scenario && options.scenario !== owner)
      usage(`--break ${options.failure} belongs to the ${owner} scenario`);
    options.scenario = owner;
  }
  return { ...options, scenario: options.scenario ?? 'network' };
}

/** The compose project: the file's own `name:` (favorites-<scenario>), unless COMPOSE_PROJECT_NAME says otherwise. */
/** @param {string} scenario */
const projectOf = (scenario) => process.env.COMPOSE_PROJECT_NAME ?? `favorites-${scenario}`;

/** docker compose on the scenario's file, with the images in use, what makes it work, and any overrides. */
/**
 * @param {string} scenario
 * @returns {ComposeRunner}
 */
function composeRunner(scenario) {
  return (args, overrides = {}, stdio = 'inherit', { check = true } = {}) => {
    const result = spawnSync('docker', ['compose', '-f', `compose/${scenario}.yml`, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...images, FAVORITES_B_PORT: String(sparePort), ...SCENARIOS[scenario].env, ...overrides },
      stdio,
      encoding: 'utf8',
    });
    if (check && result.status !== 0)
      throw new Error(`docker compose ${args.join(' ')} failed${stdio === 'inherit' ? '' : `: ${result.stderr}`}`);
    return result.stdout ?? '';
  };
}

/** The API service whose log a scenario shows. */
/** @param {string} scenario */
const apiService = (scenario) => SCENARIOS[scenario].apiService ?? 'favorites';
/** The containers a scenario's failures run outside its compose file. */
/** @param {string} scenario */
const extraContainers = (scenario) => [
  ...(scenario === 'host' ? [HOST_MONGO] : []),
  ...containersOf(SCENARIOS[scenario], projectOf(scenario)),
];

/** The networks a scenario's failures create outside its compose file (after its containers: none may use them). */
/** @param {string} scenario */
const removeExtraNetworks = (scenario) =>
  networksOf(SCENARIOS[scenario], projectOf(scenario)).forEach((name) => docker(['network', 'rm', name]));

/** Something accepts connections on the host's MongoDB port already (the user's own MongoDB). */
const hostPortTaken = async () => (await connectOnLoopback(Number(HOST_MONGO_PORT))) === 'connected';

/** DEV_MONGO_PASSWORD_FILE, with a new random password unless it exists; returns its path. */
function devMongoPasswordFile() {
  mkdirSync(join(ROOT, '.credentials'), { recursive: true, mode: 0o700 });
  // Readable by all, in a directory that only this user can enter: the containers' users (mongod's
  // 999, the API's 1000) read it through its own bind mount, which skips the directory.
  if (!existsSync(DEV_MONGO_PASSWORD_FILE))
    writeFileSync(DEV_MONGO_PASSWORD_FILE, `${randomBytes(24).toString('base64url')}\n`, { flag: 'wx' });
  chmodSync(DEV_MONGO_PASSWORD_FILE, 0o444);
  return DEV_MONGO_PASSWORD_FILE;
}

/**
 * MongoDB in a container, published on the host's MongoDB port at bindIp, with a password (user
 * admin, devMongoPasswordFile's); replaces an earlier one of that name.
 * @param {string} bindIp
 * @param {string} [name]
 */
function startHostMongo(bindIp, name = HOST_MONGO) {
  removeContainer(name);
  const started = docker([
    'run',
    '-d',
    '--name',
    name,
    '-p',
    `${bindIp}:${HOST_MONGO_PORT}:27017`,
    '-e',
    'MONGO_INITDB_ROOT_USERNAME=admin',
    '-e',
    'MONGO_INITDB_ROOT_PASSWORD_FILE=/run/secrets/mongodb-password',
    '-v',
    `${devMongoPasswordFile()}:/run/secrets/mongodb-password:ro`,
    mongoImage(),
  ]);
  if (!started.ok) throw new Error(`cannot start ${name}: ${started.stderr}`);
}

function upDevMongo() {
  startHostMongo('127.0.0.1', DEV_MONGO);
  console.log(`\nMongoDB (${images.FAVORITES_MONGO_IMAGE}) listens on 127.0.0.1:${HOST_MONGO_PORT}, for the API run on this machine
(user admin, password in ${DEV_MONGO_PASSWORD_FILE}, which .env.example names):
  cp .env.example .env && npm ci && npm run build && npm start
Remove it (and its data): node scripts/stack.js down mongodb`);
}

/** @param {Options} options */
async function up({ scenario, failure, detach }) {
  const compose = composeRunner(scenario);
  extraContainers(scenario).forEach(removeContainer);
  removeExtraNetworks(scenario);
  /** @type {Record<string, string>} */
  const hostMongoCredentials = {};
  if (scenario === 'host') {
    if (await hostPortTaken()) {
      console.log(
        `Something listens on port ${HOST_MONGO_PORT} here already: the API will use it as "MongoDB on the host".`,
      );
    } else {
      // On the gateway address only, where containers reach the host: a demo database stays off the LAN.
      const gateway = hostGatewayAddress(mongoImage());
      console.log(
        `No MongoDB on port ${HOST_MONGO_PORT} here: starting one in a container (${HOST_MONGO}) that publishes it on ${gateway}, the host-gateway address, with a password (user admin, in ${DEV_MONGO_PASSWORD_FILE}).`,
      );
      startHostMongo(gateway);
      Object.assign(hostMongoCredentials, { MONGODB_USERNAME: 'admin', MONGODB_PASSWORD_FILE: devMongoPasswordFile() });
    }
  }
  const settings = Object.entries(SCENARIOS[scenario].env ?? {})
    .map(([key, value]) => `${key}=${value} `)
    .join('');
  // /readyz, below, says when the stack is up where --wait can't (see Scenario.upWaits).
  const wait = SCENARIOS[scenario].upWaits === false ? [] : ['--wait'];
  // An extra engine of the matrix builds nothing: its images were copied to it (docs/engines.md).
  const build = buildsImages() ? ['--build'] : [];
  console.log(`\n$ ${settings}docker compose -f compose/${scenario}.yml ${['up', '-d', ...build, ...wait].join(' ')}`);
  try {
    compose(['up', '-d', ...build, ...wait, '--remove-orphans'], {
      MONGODB_PORT: HOST_MONGO_PORT,
      ...hostMongoCredentials,
    });
  } catch (error) {
    // Compose has printed its own error; the engine's state often says why.
    const why = explainFailedUp(compose);
    if (why.length > 0) console.error(`\nWhy:\n${why.join('\n\n')}`);
    throw error;
  }
  pruneReplacedImages();
  await readyzUntil(api, ({ status }) => status === 200);

  if (failure) {
    await showFailure(scenario, SCENARIOS[scenario].breaks[failure], compose);
    return;
  }
  console.log(`\nThe favorites API is ready at ${api} (scenario: ${scenario}). Try:
  curl -X POST ${api}/favorites -H 'Content-Type: application/json' -d '{"type": "movie", "name": "A New Hope", "url": "https://swapi.dev/api/films/1/"}'
  curl ${api}/favorites
  curl ${api}/movies`);
  if (detach) {
    console.log(
      `\nIt runs in the background. Logs: docker compose -f compose/${scenario}.yml logs -f ${apiService(scenario)}     Remove: node scripts/stack.js down ${scenario}`,
    );
    return;
  }
  console.log('\nThe API logs follow. Ctrl-C takes the stack down (its data volume stays).\n');
  await followLogsUntilInterrupted(scenario);
  down({ scenario, volumes: false });
}

/** Breaks the running stack on purpose, shows the evidence a user would look at, and what to change. */
/**
 * @param {string} scenario
 * @param {Break} failure
 * @param {ComposeRunner} compose
 */
async function showFailure(scenario, failure, compose) {
  /** @type {BreakContext} */
  const ctx = {
    compose,
    images,
    api,
    port,
    sparePort,
    project: projectOf(scenario),
    network: process.env.FAVORITES_NETWORK ?? 'favorites-net', // network.yml's fixed network name
    apiImage: images.FAVORITES_API_IMAGE ?? 'swfavorites/favorites:local',
    startHostMongo,
  };
  // A command or a fix that names containers or ports is written for this stack.
  /** @param {import('./lib/scenarios/types').StackText} value */
  const text = (value) => (typeof value === 'function' ? value(ctx) : value);
  console.log(`\nBreaking it on purpose: ${failure.what}.\n$ ${text(failure.command)}`);
  const state = await failure.run(ctx);
  console.log(`\n${await failure.show(ctx, state)}`);
  console.log(`\nWhat to change: ${text(failure.fix)}`);
  const undo = failure.undo ? text(failure.undo) : `node scripts/stack.js ${scenario}`;
  console.log(`Undo: ${undo}     Remove: node scripts/stack.js down ${scenario}`);
}

/** Shows the API's log until Ctrl-C (or the container ends). */
/**
 * @param {string} scenario
 * @returns {Promise<void>}
 */
function followLogsUntilInterrupted(scenario) {
  return new Promise((resolve) => {
    const logs = spawn(
      'docker',
      [
        'compose',
        '-f',
        `compose/${scenario}.yml`,
        'logs',
        '-f',
        '--no-log-prefix',
        '--since',
        '1m',
        apiService(scenario),
      ],
      {
        cwd: ROOT,
        env: { ...process.env, ...images, ...SCENARIOS[scenario].env },
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
    process.once('SIGINT', () => logs.kill('SIGTERM'));
    process.once('SIGTERM', () => logs.kill('SIGTERM'));
    logs.once('exit', () => resolve());
  });
}

/** @param {Pick<Options, 'scenario' | 'volumes'>} options */
function down({ scenario, volumes }) {
  if (scenario === 'mongodb') {
    removeContainer(DEV_MONGO);
    return;
  }
  // First the containers the failures started: some mount the stack's volumes, which would stay.
  extraContainers(scenario).forEach(removeContainer);
  removeExtraNetworks(scenario);
  console.log(`\n$ docker compose -f compose/${scenario}.yml down${volumes ? ' --volumes' : ''}`);
  // With the offline profile on, so the SWAPI stub goes too wherever it was started.
  composeRunner(scenario)(['down', '--remove-orphans', ...(volumes ? ['--volumes'] : [])], {
    COMPOSE_PROFILES: 'offline',
  });
}

/**
 * `debug <scenario> [<service>]`: the toolbox's checks from inside the running service (scripts/lib/debug.js).
 * @param {string[]} args
 */
function debugCommand([scenario, service, ...rest]) {
  if (!scenario || !(scenario in SCENARIOS) || rest.length > 0)
    usage(`debug takes a scenario (${Object.keys(SCENARIOS).join(', ')}) and optionally one of its services`);
  ensureEngine();
  debug({ scenario, service, project: process.env.COMPOSE_PROJECT_NAME, images: ensureImages(() => {}).env });
}

async function main() {
  if (process.argv[2] === 'debug') {
    debugCommand(process.argv.slice(3));
    return;
  }
  const options = parseArgs(process.argv.slice(2));
  const { engine, compose } = ensureEngine();
  if (options.command === 'down') {
    images = {};
    down(options);
    return;
  }
  console.log(`Docker engine ${engine}, compose ${compose}`);
  const selected = ensureImages();
  images = selected.env;
  console.log(
    `Images: ${images.FAVORITES_MONGO_IMAGE} and ${images.FAVORITES_NODE_IMAGE}${selected.offline ? ' (offline stand-ins; the SWAPI stub stands in for swapi.dev)' : ''}`,
  );
  if (options.scenario === 'mongodb') upDevMongo();
  else await up(options);
}

main().catch((error) => {
  console.error(`\n${error.message}`);
  process.exit(1);
});
