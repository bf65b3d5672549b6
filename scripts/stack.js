#!/usr/bin/env node
// One command for a scenario's stack, on any machine with Docker (or, as root on Debian, none yet):
//   node scripts/stack.js [network|host|ip|aliases|segmented|internal|volumes|scale] [--break <failure>] [--detach]
//   node scripts/stack.js down [<scenario>] [--volumes]
//   node scripts/stack.js mongodb | down mongodb    (only MongoDB, on 127.0.0.1:27017, for `npm start`)
// It provisions what is missing (engine where allowed; images pulled, or built offline), brings
// the scenario up, waits until the API is ready, and prints the URL and requests to try. In the
// foreground it then shows the API's log; Ctrl-C takes the stack down (the data volume stays).
// --break shows one of the ways the scenario fails, as it looks to a user, and how to fix it.
'use strict';

const { spawn, spawnSync } = require('node:child_process');
const { connect } = require('node:net');
const { docker, ensureEngine, ensureImages, hostGatewayAddress, pruneReplacedImages, ROOT } = require('./lib/provision');
const { readyzUntil } = require('./lib/readyz');

const SCENARIOS = ['network', 'host', 'ip', 'aliases', 'segmented', 'internal', 'volumes', 'scale'];
// Not a scenario: MongoDB alone, published on the host's loopback, for the API run with `npm start`.
const DEV_MONGO = 'favorites-dev-mongodb';
const port = process.env.FAVORITES_PORT ?? '3000';
const api = `http://localhost:${port}`;

// MongoDB "installed on your machine" for the host scenario, when nothing listens there already.
const HOST_MONGO = 'favorites-host-mongodb';
const HOST_MONGO_PORT = process.env.MONGODB_PORT ?? '27017';
// The course's `docker run` of the API on the default bridge, for --break default-bridge.
const BRIDGE_API = 'favorites-default-bridge';
const BRIDGE_API_PORT = String(Number(port) + 1);
const DRIFTED_MONGO_IP = '172.28.0.20';

/** The failures --break shows: how to cause each, where to look, and what to change. */
const BREAKS = {
  localhost: {
    scenario: 'network',
    what: 'the API is told that MongoDB is on localhost',
    command: 'MONGODB_HOST=localhost docker compose -f compose/network.yml up -d favorites',
    run: (compose) => compose(['up', '-d', '--wait', 'favorites'], { MONGODB_HOST: 'localhost' }),
    fix: 'Inside a container, localhost is the container itself. Use the service name: MONGODB_HOST=mongodb (the default).',
  },
  'wrong-user': {
    scenario: 'network',
    what: "the API signs in as a user MongoDB does not know, with the API user's password",
    command: 'MONGODB_USERNAME=intruder docker compose -f compose/network.yml up -d favorites',
    run: (compose) => compose(['up', '-d', '--wait', 'favorites'], { MONGODB_USERNAME: 'intruder' }),
    fix: 'MongoDB requires a password here. The API signs in as "favorites", the user the database-user one-shot creates, with the password in the api-credentials volume: leave MONGODB_USERNAME unset.',
  },
  'default-bridge': {
    scenario: 'network',
    what: "the API is started the course's way, with `docker run` and no --network, so it lands on the default bridge",
    command: `docker run -d --name ${BRIDGE_API} -p 127.0.0.1:${BRIDGE_API_PORT}:3000 -e MONGODB_HOST=mongodb swfavorites/favorites:local`,
    run: () => runBridgeApi(),
    url: `http://localhost:${BRIDGE_API_PORT}`,
    container: BRIDGE_API,
    fix: 'The default bridge has no DNS for names. Join the named network: docker run --network favorites-net ...',
  },
  'stale-ip': {
    scenario: 'ip',
    what: `MongoDB is recreated at another address (${DRIFTED_MONGO_IP}) while the API keeps the old one`,
    command: `MONGO_IP=${DRIFTED_MONGO_IP} docker compose -f compose/ip.yml up -d mongodb`,
    run: (compose) => compose(['up', '-d', '--wait', 'mongodb'], { MONGO_IP: DRIFTED_MONGO_IP }),
    fix: 'A container IP is only valid until the container is recreated. Use a service name on a user-defined network (compose/network.yml), or pin the address with ipv4_address.',
  },
  'loopback-only': {
    scenario: 'host',
    what: "the host's MongoDB listens on 127.0.0.1 only",
    command: `docker run -d --name ${HOST_MONGO} -p 127.0.0.1:${HOST_MONGO_PORT}:27017 <mongo image>`,
    run: async () => {
      removeContainer(HOST_MONGO);
      startHostMongo('127.0.0.1');
    },
    fix: "Containers reach the host through the bridge gateway, not 127.0.0.1. Make MongoDB listen on 0.0.0.0 (bindIp), or on the docker0 address, and firewall the port as you see fit.",
  },
};

let images; // the environment that selects the images in use (official, or offline stand-ins)

function usage(message) {
  if (message) console.error(message);
  console.error(`usage: node scripts/stack.js [${SCENARIOS.join('|')}] [--break ${Object.keys(BREAKS).join('|')}] [--detach]
       node scripts/stack.js down [${SCENARIOS.join('|')}] [--volumes]
       node scripts/stack.js mongodb | down mongodb`);
  process.exit(2);
}

function parseArgs(argv) {
  const options = { command: 'up', scenario: undefined, failure: undefined, detach: false, volumes: false };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === 'down' || arg === 'up') options.command = arg;
    else if (SCENARIOS.includes(arg) || arg === 'mongodb') options.scenario = arg;
    else if (arg === '--break') options.failure = argv[++i];
    else if (arg === '--detach' || arg === '-d') options.detach = true;
    else if (arg === '--volumes' || arg === '-v') options.volumes = true;
    else if (arg === '--help' || arg === '-h') usage();
    else usage(`unknown argument: ${arg}`);
  }
  if (options.failure !== undefined) {
    const failure = BREAKS[options.failure];
    if (!failure) usage(`--break takes one of: ${Object.keys(BREAKS).join(', ')}`);
    if (options.scenario && options.scenario !== failure.scenario) usage(`--break ${options.failure} belongs to the ${failure.scenario} scenario`);
    options.scenario = failure.scenario;
  }
  options.scenario ??= 'network';
  return options;
}

/** docker compose on the scenario's file, with the images in use and any overrides. */
function composeRunner(scenario) {
  return (args, overrides = {}, stdio = 'inherit') => {
    const result = spawnSync('docker', ['compose', '-f', `compose/${scenario}.yml`, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...images, ...overrides },
      stdio,
      encoding: 'utf8',
    });
    if (result.status !== 0) throw new Error(`docker compose ${args.join(' ')} failed${stdio === 'inherit' ? '' : `: ${result.stderr}`}`);
    return result.stdout;
  };
}

const removeContainer = (name) => docker(['rm', '-f', '-v', name]);
/** The containers a scenario runs outside its compose file. */
/** The API service whose log a scenario shows: team A's in aliases.yml, `favorites` everywhere else. */
const apiService = (scenario) => (scenario === 'aliases' ? 'favorites-a' : 'favorites');
const extraContainers = { network: [BRIDGE_API], host: [HOST_MONGO], ip: [], aliases: [], segmented: [], internal: [], volumes: [], scale: [] };

/** Something accepts connections on the host's MongoDB port already (the user's own MongoDB). */
function hostPortTaken() {
  return new Promise((resolve) => {
    const socket = connect(Number(HOST_MONGO_PORT), '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

function startHostMongo(bindIp, name = HOST_MONGO) {
  const started = docker(['run', '-d', '--name', name, '-p', `${bindIp}:${HOST_MONGO_PORT}:27017`, images.FAVORITES_MONGO_IMAGE]);
  if (!started.ok) throw new Error(`cannot start ${name}: ${started.stderr}`);
}

function upDevMongo() {
  removeContainer(DEV_MONGO);
  startHostMongo('127.0.0.1', DEV_MONGO);
  console.log(`\nMongoDB (${images.FAVORITES_MONGO_IMAGE}) listens on 127.0.0.1:${HOST_MONGO_PORT}, for the API run on this machine:
  cp .env.example .env && npm ci && npm run build && npm start
Remove it (and its data): node scripts/stack.js down mongodb`);
}

function runBridgeApi() {
  removeContainer(BRIDGE_API);
  const env = ['-e', 'MONGODB_HOST=mongodb', '-e', `SWAPI_BASE_URL=${images.SWAPI_BASE_URL ?? 'https://swapi.dev/api'}`];
  const started = docker(['run', '-d', '--name', BRIDGE_API, '-p', `127.0.0.1:${BRIDGE_API_PORT}:3000`, ...env, 'swfavorites/favorites:local']);
  if (!started.ok) throw new Error(`cannot start ${BRIDGE_API}: ${started.stderr}`);
}

async function up({ scenario, failure, detach }) {
  const compose = composeRunner(scenario);
  const broken = failure && BREAKS[failure];
  extraContainers[scenario].forEach(removeContainer);
  if (scenario === 'host') {
    if (await hostPortTaken()) {
      console.log(`Something listens on port ${HOST_MONGO_PORT} here already: the API will use it as "MongoDB on the host".`);
    } else {
      // On the gateway address only, where containers reach the host: an unauthenticated demo database stays off the LAN.
      const gateway = hostGatewayAddress(images.FAVORITES_MONGO_IMAGE);
      console.log(`No MongoDB on port ${HOST_MONGO_PORT} here: starting one in a container (${HOST_MONGO}) that publishes it on ${gateway}, the host-gateway address.`);
      startHostMongo(gateway);
    }
  }
  console.log(`\n$ docker compose -f compose/${scenario}.yml up -d --build --wait`);
  compose(['up', '-d', '--build', '--wait', '--remove-orphans'], { MONGODB_PORT: HOST_MONGO_PORT });
  pruneReplacedImages();
  await readyzUntil(api, ({ status }) => status === 200);

  if (broken) {
    console.log(`\nBreaking it on purpose: ${broken.what}.\n$ ${broken.command}`);
    await broken.run(compose);
    const url = broken.url ?? api;
    const { status, body } = await readyzUntil(url, (answer) => answer.status === 503 && answer.body.database?.lastError, 45_000);
    console.log(`\n$ curl ${url}/readyz\n${status} ${JSON.stringify(body, null, 2)}`);
    const logs = broken.container ? docker(['logs', broken.container]).stdout : compose(['logs', '--no-log-prefix', 'favorites'], {}, 'pipe');
    // Compose's log printer adds terminal control codes even when the output is not a terminal.
    const line = logs.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').split('\n').filter((l) => l.includes('cannot reach MongoDB')).pop();
    console.log(`\nThe API's log says:\n${line ?? '(no diagnosis logged yet)'}`);
    console.log(`\nWhat to change: ${broken.fix}`);
    console.log(`Undo: node scripts/stack.js ${scenario}     Remove: node scripts/stack.js down ${scenario}`);
    return;
  }

  console.log(`\nThe favorites API is ready at ${api} (scenario: ${scenario}). Try:
  curl -X POST ${api}/favorites -H 'Content-Type: application/json' -d '{"type": "movie", "name": "A New Hope", "url": "https://swapi.dev/api/films/1/"}'
  curl ${api}/favorites
  curl ${api}/movies`);
  if (detach) {
    console.log(`\nIt runs in the background. Logs: docker compose -f compose/${scenario}.yml logs -f ${apiService(scenario)}     Remove: node scripts/stack.js down ${scenario}`);
    return;
  }
  console.log('\nThe API logs follow. Ctrl-C takes the stack down (its data volume stays).\n');
  await followLogsUntilInterrupted(scenario);
  down({ scenario, volumes: false });
}

/** Shows the API's log until Ctrl-C (or the container ends). */
function followLogsUntilInterrupted(scenario) {
  return new Promise((resolve) => {
    const logs = spawn('docker', ['compose', '-f', `compose/${scenario}.yml`, 'logs', '-f', '--no-log-prefix', '--since', '1m', apiService(scenario)], {
      cwd: ROOT,
      env: { ...process.env, ...images },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    process.once('SIGINT', () => logs.kill('SIGTERM'));
    process.once('SIGTERM', () => logs.kill('SIGTERM'));
    logs.once('exit', () => resolve());
  });
}

function down({ scenario, volumes }) {
  if (scenario === 'mongodb') {
    removeContainer(DEV_MONGO);
    return;
  }
  console.log(`\n$ docker compose -f compose/${scenario}.yml down${volumes ? ' --volumes' : ''}`);
  // With the offline profile on, so the SWAPI stub goes too wherever it was started.
  composeRunner(scenario)(['down', '--remove-orphans', ...(volumes ? ['--volumes'] : [])], { COMPOSE_PROFILES: 'offline' });
  extraContainers[scenario].forEach(removeContainer);
}

async function main() {
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
  console.log(`Images: ${images.FAVORITES_MONGO_IMAGE} and ${images.FAVORITES_NODE_IMAGE}${selected.offline ? ' (offline stand-ins; the SWAPI stub stands in for swapi.dev)' : ''}`);
  if (options.scenario === 'mongodb') upDevMongo();
  else await up(options);
}

main().catch((error) => {
  console.error(`\n${error.message}`);
  process.exit(1);
});
