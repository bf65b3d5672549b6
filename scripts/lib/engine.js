// Makes sure a Docker engine with compose answers, and runs the docker CLI for the scripts and the
// tests. Plain CommonJS with no dependencies: scripts/stack.js runs it before any `npm install`.
// @ts-check
'use strict';

const { spawn, spawnSync } = require('node:child_process');
const { existsSync, mkdirSync, openSync, readFileSync, readlinkSync, rmSync, writeFileSync } = require('node:fs');
const { join, resolve } = require('node:path');
const { isDebian, isRoot, runScript } = require('./host');

const ROOT = resolve(__dirname, '../..');

const NO_ENGINE_HELP = [
  'No Docker engine answers. Get one, then run this again:',
  '  - Debian 12 or 13, as root: bash scripts/docker-setup.sh (installs and starts the engine)',
  '  - macOS or Windows: install and start Docker Desktop',
  '  - elsewhere: install Docker Engine with the compose plugin, and start it',
].join('\n');

/** @typedef {{ ok: boolean, stdout: string, stderr: string, error?: Error }} DockerResult */

/**
 * Runs the docker CLI; never throws.
 * @param {string[]} args
 * @param {Omit<import('node:child_process').SpawnSyncOptionsWithStringEncoding, 'encoding'>} [options]
 * @returns {DockerResult}
 */
function docker(args, options = {}) {
  const env = { ...(options.env ?? process.env), ...engineEnv() };
  const result = spawnSync('docker', args, { encoding: 'utf8', ...options, env });
  return {
    ok: result.status === 0,
    stdout: (result.stdout ?? '').trim(),
    stderr: (result.stderr ?? '').trim(),
    error: result.error,
  };
}

/**
 * Makes sure a Docker engine with compose v2 answers. Installs and starts one only as root on
 * Debian, and says so; anywhere else it stops at once with how to get one.
 * Returns the engine's and compose's versions.
 * @param {import('./host').Log} [log]
 * @returns {{ engine: string, compose: string }}
 */
function ensureEngine(log = console.log) {
  // FAVORITES_ENGINE=<name> (docs/engines.md): an extra engine's published ports are in its namespace.
  assertInEngineNetns();
  const info = docker(['info']);
  if (!info.ok) {
    if (/permission denied/i.test(info.stderr)) {
      throw new Error(
        `Docker answers, but not to you: ${info.stderr.split('\n').pop()}\nAdd yourself to the docker group (sudo usermod -aG docker "$USER", then log in again), or run as root.`,
      );
    }
    if (!(isRoot() && isDebian()))
      throw new Error(`${info.error ? 'There is no docker command. ' : ''}${NO_ENGINE_HELP}`);
    log('No Docker engine answers. Root on Debian: scripts/docker-setup.sh installs one if needed and starts it.');
    runScript('docker-setup.sh');
  }
  const compose = docker(['compose', 'version', '--short']);
  if (!compose.ok)
    throw new Error(
      'Docker answers, but has no compose v2 plugin (`docker compose`). Install it: Docker Desktop has it; on Debian, bash scripts/docker-setup.sh.',
    );
  return { engine: docker(['version', '--format', '{{.Server.Version}}']).stdout, compose: compose.stdout };
}

/**
 * The address the engine gives `host-gateway`: the default bridge's gateway on a Linux engine
 * (usually 172.17.0.1). Asked of the engine itself, in a throwaway container of `image`, so that
 * nothing on the host is needed but Docker.
 * @param {string} image
 * @returns {string}
 */
function hostGatewayAddress(image) {
  const answer = docker([
    'run',
    '--rm',
    '--add-host',
    'gateway.probe:host-gateway',
    '--entrypoint',
    'getent',
    image,
    'hosts',
    'gateway.probe',
  ]);
  const address = /^(\S+)\s/.exec(answer.stdout)?.[1];
  if (!answer.ok || !address)
    throw new Error(`cannot tell what host-gateway stands for: ${answer.stderr || answer.stdout}`);
  return address;
}

// The engine matrix (docs/engines.md): engines besides the default one, each a second daemon with its
// own socket, storage and network namespace. The namespace keeps its bridges, subnets and iptables
// rules away from the default engine's (Docker 28 rewrites the FORWARD chain that Docker 26 fills),
// so the tests of an engine run inside its namespace too, where its published ports are.
// They copy their images from the default engine: nothing in the namespace reaches a registry.

/**
 * @typedef {object} ExtraEngine
 * @property {'docker' | 'podman'} kind
 * @property {string} socket its API socket (DOCKER_HOST=unix://<socket>)
 * @property {string} netns its network namespace, in /run/netns
 * @property {string} state where it keeps its images, containers and log
 */

const ENGINE_STATE = '/var/lib/favorites-engines';
/** The extra engines' upstream resolver, in their own namespace (nxdomain-dns.js). */
const UPSTREAM_DNS = '10.254.53.53';

/** @param {string} name @param {'docker' | 'podman'} kind @returns {ExtraEngine} */
const extraEngine = (name, kind) => ({
  kind,
  socket: kind === 'docker' ? `/run/${name}.sock` : `/run/favorites-${name}.sock`,
  netns: `favorites-${name}`,
  state: join(ENGINE_STATE, name),
});

/** The engines FAVORITES_ENGINE can name besides `docker`, the one DOCKER_HOST or the default socket is. */
const EXTRA_ENGINES = {
  // Debian's newest Docker, from its testing suite (forky), unpacked beside the installed one.
  'docker-28': extraEngine('docker-28', 'docker'),
  // Debian 12's Podman, with its Docker-compatible API (`podman system service`).
  podman: extraEngine('podman', 'podman'),
};

/** The engine FAVORITES_ENGINE names, `docker` by default; throws on a name it doesn't know. */
function engineName() {
  const name = process.env.FAVORITES_ENGINE || 'docker';
  if (name !== 'docker' && !(name in EXTRA_ENGINES))
    throw new Error(`FAVORITES_ENGINE=${name}: no such engine (docker, ${Object.keys(EXTRA_ENGINES).join(', ')})`);
  return name;
}

/** @param {string} name @returns {ExtraEngine | undefined} */
const extraEngineOf = (name) => /** @type {Record<string, ExtraEngine>} */ (EXTRA_ENGINES)[name];

/** DOCKER_HOST for the engine FAVORITES_ENGINE names: nothing for the default one. */
function engineEnv() {
  const engine = extraEngineOf(engineName());
  return engine ? { DOCKER_HOST: `unix://${engine.socket}` } : {};
}

const netnsPath = (/** @type {ExtraEngine} */ engine) => `/run/netns/${engine.netns}`;
const netnsOfThisProcess = () => readlinkSync('/proc/self/ns/net');

/**
 * Throws unless this process runs in the network namespace of the engine FAVORITES_ENGINE names
 * (its published ports are there), saying how to get there.
 */
function assertInEngineNetns() {
  const name = engineName();
  const engine = extraEngineOf(name);
  if (!engine) return;
  const inside = spawnSync('nsenter', [`--net=${netnsPath(engine)}`, 'readlink', '/proc/self/ns/net'], {
    encoding: 'utf8',
  });
  if (inside.status === 0 && inside.stdout.trim() === netnsOfThisProcess()) return;
  throw new Error(
    `FAVORITES_ENGINE=${name} runs in its own network namespace: node scripts/engines.js run ${name} -- <command>`,
  );
}

/**
 * Runs a command as root and throws with its output when it fails.
 * @param {string} command
 * @param {string[]} args
 */
function mustRun(command, args) {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(' ')} failed: ${(result.stderr || result.stdout || '').trim()}`);
  return result.stdout.trim();
}

/**
 * Installs an extra engine's packages (scripts/engine-setup.sh: Podman from Debian, or Docker from
 * Debian's testing suite unpacked into its own folder), as root on Debian, only when asked.
 * @param {string} name
 */
function installEngine(name) {
  if (!(isRoot() && isDebian())) throw new Error(`the ${name} engine is provisioned as root on Debian only`);
  const result = spawnSync('bash', [join(ROOT, 'scripts/engine-setup.sh'), name], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`scripts/engine-setup.sh ${name} failed; see its output above`);
}

/**
 * The daemon's command line: its own storage, run folder, pid file, socket and cgroup parent, so it
 * shares nothing with the default engine but the kernel.
 * @param {string} name
 * @param {ExtraEngine} engine
 * @returns {{ command: string, args: string[], env: NodeJS.ProcessEnv }}
 */
function daemonCommand(name, engine) {
  if (engine.kind === 'podman') {
    // No systemd here: cgroupfs and a file for events; netavark and aardvark-dns give names DNS.
    // A root container's limits, which Podman sets higher than it may where the machine's are lower:
    // open files as high as the machine's own limit, processes as high as Podman 4.3's own (it sets
    // itself 32768 at start; a container asking for more fails with "error setting rlimit type 6").
    const openFiles = spawnSync('bash', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).stdout.trim();
    const conf = join(engine.state, 'containers.conf');
    writeFileSync(
      conf,
      [
        '[containers]',
        `default_ulimits = ["nofile=${openFiles}:${openFiles}", "nproc=32768:32768"]`,
        '[engine]',
        'cgroup_manager = "cgroupfs"',
        'events_logger = "file"',
        '[network]',
        'network_backend = "netavark"',
        '',
      ].join('\n'),
    );
    // Its upstream resolver comes from /etc/resolv.conf, which names the host's (unreachable from the
    // namespace): Podman gets a mount namespace of its own where that file names the namespace's.
    const resolvConf = join(engine.state, 'resolv.conf');
    writeFileSync(resolvConf, `nameserver ${UPSTREAM_DNS}\n`);
    return {
      command: 'unshare',
      args: [
        '--mount',
        '--propagation=private',
        'sh',
        '-c',
        'mount --bind "$0" /etc/resolv.conf && exec podman system service --time=0 "$1"',
        resolvConf,
        `unix://${engine.socket}`,
      ],
      env: { ...process.env, CONTAINERS_CONF: conf },
    };
  }
  const bin = join(engine.state, 'root/usr/sbin');
  return {
    command: join(bin, 'dockerd'),
    args: [
      `--data-root=${join(engine.state, 'data')}`,
      `--exec-root=/run/favorites-${name}`,
      `--pidfile=/run/favorites-${name}.pid`,
      `--host=unix://${engine.socket}`,
      `--containerd-namespace=favorites-${name}`,
      `--containerd-plugins-namespace=favorites-${name}-plugins`,
      `--cgroup-parent=/favorites-${name}`,
      `--dns=${UPSTREAM_DNS}`,
    ],
    // Its own docker-proxy first on the PATH.
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
  };
}

/**
 * Starts a process in the engine's network namespace, in the background, with its pid in
 * <state>/<what>.pid and its output in <state>/<what>.log.
 * @param {ExtraEngine} engine
 * @param {string} what
 * @param {string} command
 * @param {string[]} args
 * @param {NodeJS.ProcessEnv} env
 */
function startInNetns(engine, what, command, args, env) {
  const out = openSync(join(engine.state, `${what}.log`), 'a');
  // nsenter enters the network namespace only: `ip netns exec` would also remount /sys, hiding the cgroups.
  const child = spawn('nsenter', [`--net=${netnsPath(engine)}`, command, ...args], {
    env,
    detached: true,
    stdio: ['ignore', out, out],
  });
  // nsenter runs the command in its own process (no --fork): this pid is the command's.
  writeFileSync(join(engine.state, `${what}.pid`), String(child.pid));
  child.unref();
}

/**
 * Stops what startInNetns started as `what`, and waits until it is gone.
 * @param {ExtraEngine} engine
 * @param {string} what
 */
function stopInNetns(engine, what) {
  const pidFile = join(engine.state, `${what}.pid`);
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8'));
  // Gone, or a zombie: this very process may have started it, and a busy wait reaps no child.
  const running = () => {
    try {
      return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return false;
    }
  };
  if (running()) process.kill(pid, 'SIGTERM');
  for (let tries = 0; running() && tries < 300; tries++) spawnSync('sleep', ['0.2']);
  rmSync(pidFile);
}

/**
 * Makes sure the extra engine `name` answers: installs it (root on Debian), makes its network
 * namespace and starts its daemon there, in the background, logging to <state>/daemon.log.
 * @param {string} name
 * @param {import('./host').Log} [log]
 */
function ensureExtraEngine(name, log = console.log) {
  const engine = extraEngineOf(name);
  if (!engine) throw new Error(`no such engine: ${name}`);
  const asked = () =>
    spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], {
      encoding: 'utf8',
      env: { ...process.env, DOCKER_HOST: `unix://${engine.socket}` },
    });
  if (asked().status === 0) return;
  installEngine(name);
  mkdirSync(engine.state, { recursive: true });
  if (!existsSync(netnsPath(engine))) {
    mustRun('ip', ['netns', 'add', engine.netns]);
    mustRun('ip', ['-n', engine.netns, 'link', 'set', 'lo', 'up']);
  }
  // The namespace's upstream resolver (nxdomain-dns.js), on its loopback: containers reach it through their gateway.
  spawnSync('ip', ['-n', engine.netns, 'address', 'add', `${UPSTREAM_DNS}/32`, 'dev', 'lo']);
  startInNetns(engine, 'dns', process.execPath, [join(__dirname, 'nxdomain-dns.js'), UPSTREAM_DNS], process.env);
  const { command, args, env } = daemonCommand(name, engine);
  log(`starting the ${name} engine in network namespace ${engine.netns} (log: ${engine.state}/daemon.log)`);
  startInNetns(engine, 'daemon', command, args, env);
  for (let tries = 0; tries < 120; tries++) {
    if (asked().status === 0) return;
    spawnSync('sleep', ['0.5']);
  }
  throw new Error(`the ${name} engine did not answer within 60 s: see ${engine.state}/daemon.log`);
}

/**
 * Stops the extra engine `name` (its containers, networks and volumes first), and removes its
 * network namespace. Its images stay, for the next run.
 * @param {string} name
 */
function stopExtraEngine(name) {
  const engine = extraEngineOf(name);
  if (!engine) throw new Error(`no such engine: ${name}`);
  const env = { ...process.env, DOCKER_HOST: `unix://${engine.socket}` };
  const ids = spawnSync('docker', ['ps', '-aq'], { encoding: 'utf8', env }).stdout?.trim();
  if (ids) spawnSync('docker', ['rm', '-f', ...ids.split('\n')], { env });
  spawnSync('docker', ['network', 'prune', '--force'], { env });
  const volumes = spawnSync('docker', ['volume', 'ls', '-q'], { encoding: 'utf8', env }).stdout?.trim();
  if (volumes) spawnSync('docker', ['volume', 'rm', '--force', ...volumes.split('\n')], { env });
  stopInNetns(engine, 'daemon');
  stopInNetns(engine, 'dns');
  if (existsSync(netnsPath(engine))) spawnSync('ip', ['netns', 'delete', engine.netns]);
}

/**
 * What the engine in use is, asked of the engine itself once: for the lessons that differ by engine
 * (docs/engines.md).
 * @typedef {{ name: string, kind: 'docker' | 'podman', version: string, major: number }} EngineIdentity
 */
/** @type {EngineIdentity | undefined} */
let identity;

/** @returns {EngineIdentity} */
function engineIdentity() {
  if (identity) return identity;
  const asked = docker(['version', '--format', '{{.Server.Version}} {{range .Server.Components}}{{.Name}};{{end}}']);
  if (!asked.ok) throw new Error(`cannot ask the engine its version: ${asked.stderr}`);
  const [version, components = ''] = asked.stdout.split(' ');
  identity = {
    name: engineName(),
    kind: components.includes('Podman') ? 'podman' : 'docker',
    version,
    major: Number(/^(\d+)/.exec(version)?.[1] ?? 0),
  };
  return identity;
}

/**
 * What `docker run --link <c>:<alias>` does on the engine in use: `env`, the alias in /etc/hosts and
 * <ALIAS>_PORT=tcp://… variables (Docker up to 28); `hosts`, the alias only (Docker 29 and later,
 * moby/moby#50719, unless the daemon runs with DOCKER_KEEP_DEPRECATED_LEGACY_LINKS_ENV_VARS=1);
 * `refused` (Podman: "link is not supported").
 * @returns {'env' | 'hosts' | 'refused'}
 */
function linkBehaviour() {
  const { kind, major } = engineIdentity();
  if (kind === 'podman') return 'refused';
  return major >= 29 ? 'hosts' : 'env';
}

module.exports = {
  ROOT,
  engineIdentity,
  linkBehaviour,
  docker,
  ensureEngine,
  hostGatewayAddress,
  EXTRA_ENGINES,
  engineName,
  engineEnv,
  assertInEngineNetns,
  ensureExtraEngine,
  stopExtraEngine,
};
