import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import { MONGO_ERROR_CODES, wasInterrupted } from './errors';

// Turns a failed MongoDB connection into the networking mistake that most likely caused it.

/** Error codes this module tells apart; anything else keeps the driver's own code or name. */
export type FailureCode =
  | 'ENOTFOUND'
  | 'EAI_AGAIN'
  | 'ECONNREFUSED'
  | 'ETIMEDOUT'
  | 'EHOSTUNREACH'
  | 'ENETUNREACH'
  | 'ECONNRESET'
  | 'EPIPE'
  | 'AUTH_FAILED'
  | 'UNAUTHORIZED'
  | 'DNS_SRV_FAILED'
  | 'CONNECTION_LOST'
  | 'INTERRUPTED'
  | 'DATA_VOLUME_PASSWORD'
  | 'REPLICA_SET_MEMBER'
  | 'BUFFERING_TIMEOUT'
  | 'LOCALHOST_IPV6'
  | (string & {});

export interface Diagnosis {
  code: FailureCode;
  message: string;
  hint: string;
}

export interface Target {
  host: string;
  port: number;
  /** Whether the API itself runs in a container: there, "localhost" is the container. */
  inContainer: boolean;
  /** What the host name resolved to when the failure happened; null when it did not resolve. */
  resolvedAddress?: string | null;
  /** The container's kind of network, when the API runs in one (see containerNetwork()). */
  network?: ContainerNetwork;
}

/**
 * `none`: only loopback (network_mode: none). `host`: the host's own interfaces (network_mode:
 * host), where localhost is the host. `bridge`: a network of its own.
 */
export type ContainerNetwork = 'none' | 'host' | 'bridge';

const SYSTEM_CODES = [
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  'EPIPE',
];

// OpenSSL's verdicts on a server certificate that Node's TLS reports as the error's code: kept as
// they are (the exact reason), with one hint (docs/tls.md).
const TLS_CERTIFICATE_CODES = [
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
];

/** What runningInContainer() looks at: files, their text ('' when unreadable) and the environment. */
export interface Surroundings {
  exists(path: string): boolean;
  read(path: string): string;
  env: Record<string, string | undefined>;
}

const THIS_MACHINE: Surroundings = {
  exists: existsSync,
  read: (path) => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return '';
    }
  },
  // Not a setting (config.ts reads those): a fact the container engine states about where we run.
  env: process.env,
};

/** Paths in a cgroup that only container engines and Kubernetes create. */
const CONTAINER_CGROUP = /\/(docker|kubepods|libpod|containerd|lxc|crio)[-/.]/;

/**
 * Whether this process runs in a container, by any engine's mark: Docker's /.dockerenv, Podman's
 * /run/.containerenv, Kubernetes' KUBERNETES_SERVICE_HOST (in every pod), the `container` variable
 * Podman, LXC and systemd-nspawn set, an engine's cgroup, or an /etc/hostname mounted over the
 * image's (engines do; a host never does), which holds when a private cgroup namespace shows only "/".
 */
export function runningInContainer(around: Surroundings = THIS_MACHINE): boolean {
  if (around.exists('/.dockerenv') || around.exists('/run/.containerenv')) return true;
  if (around.env.KUBERNETES_SERVICE_HOST || around.env.container) return true;
  if (CONTAINER_CGROUP.test(around.read('/proc/1/cgroup'))) return true;
  // mountinfo's fifth field is where a mount is mounted.
  return around
    .read('/proc/self/mountinfo')
    .split('\n')
    .some((line) => line.split(' ')[4] === '/etc/hostname');
}

/**
 * Every network interface's name, up or down. os.networkInterfaces() lists only those that are up,
 * and docker0 is down whenever no container uses the default bridge.
 */
function interfaceNames(): string[] {
  try {
    return readdirSync('/sys/class/net');
  } catch {
    return Object.keys(networkInterfaces());
  }
}

/**
 * Fallback tunnel devices: the kernel puts them in every new network namespace while their module
 * (ipip, ip_gre, ip_vti, sit, ip6_tunnel...) is loaded. They carry nothing until configured, so a
 * namespace with only these and lo has no network, as much as one with lo alone.
 */
const LOOPBACK_LIKE = /^(lo|tunl0|gre0|gretap0|erspan0|ip_vti0|ip6_vti0|sit0|ip6tnl0|ip6gre0|ip6gretap0)$/;

/**
 * Devices a container's own namespace does not have: the engines' bridges (docker0 or another name,
 * br-<id> for Docker's other networks, podman0, cni-podman0, cni0, virbr0) and the host ends of
 * the veth pairs they plug containers into (a container sees its end as eth0).
 */
const HOST_SIDE = /^(docker\d|docker_gwbridge|br-[0-9a-f]+$|podman\d|cni|virbr\d|veth|flannel|cali|kube-bridge)/;

/**
 * Reads the container's network from its interfaces. `none`: nothing but loopback-like devices.
 * `host`: a container bridge or a veth's host end, which only the host's namespace holds. This tells
 * network_mode: host on any machine that runs bridged containers (whatever the bridge is called, with
 * Docker, Podman or a Kubernetes node's CNI). It cannot tell a host that has no bridge and no veth:
 * an engine set to "bridge": "none", or rootless Podman, whose bridges live in a namespace of their
 * own; that reads as `bridge`. And rootless Docker's "host" is RootlessKit's namespace, which has
 * docker0 and reads as `host`, though its localhost is not the machine's.
 */
export function containerNetwork(interfaces: string[] = interfaceNames()): ContainerNetwork {
  if (interfaces.every((name) => LOOPBACK_LIKE.test(name))) return 'none';
  return interfaces.some((name) => HOST_SIDE.test(name)) ? 'host' : 'bridge';
}

const NO_NETWORK =
  'This container has no network, only loopback (network_mode: none): no name resolves and no other address answers. ' +
  'Docker refuses to connect a container on none to another network, so disconnect it from none first ' +
  '(docker network disconnect none <container>, then docker network connect <network> <container>), ' +
  'or recreate it without network_mode: none, on the network MongoDB is on.';

/** A DNS query that mongodb+srv:// makes before it can dial anything: its record, the name asked and Node's code. */
interface SrvLookup {
  record: 'SRV' | 'TXT';
  name: string;
  dnsCode: string;
}

/** The failed SRV or TXT lookup in an error's chain: Node's resolver names it in syscall and hostname. */
function srvLookup(error: unknown, seen = new Set<unknown>()): SrvLookup | undefined {
  if (error === null || typeof error !== 'object' || seen.has(error)) return undefined;
  seen.add(error);
  const e = error as { syscall?: unknown; hostname?: unknown; code?: unknown; cause?: unknown };
  const record = e.syscall === 'querySrv' ? 'SRV' : e.syscall === 'queryTxt' ? 'TXT' : undefined;
  if (record && typeof e.hostname === 'string') return { record, name: e.hostname, dnsCode: String(e.code) };
  return srvLookup(e.cause, seen);
}

/** The DNS server answered: the record is not there. Any other code: no server gave an answer. */
const NO_SUCH_RECORD = ['ENOTFOUND', 'ENODATA'];

function srvHint({ record, name, dnsCode }: SrvLookup, { host, inContainer, network }: Target): string {
  if (inContainer && network === 'none') return NO_NETWORK;
  const lookup = `${record} record ${name}`;
  if (NO_SUCH_RECORD.includes(dnsCode)) {
    return (
      `The DNS server answered that there is no ${lookup} (${dnsCode}): a mongodb+srv:// URL finds its servers ` +
      `through that record. Check the cluster host name ("${host}", copy it again from the provider's connection ` +
      'string); a server with no SRV record takes a mongodb://host:port URL instead.'
    );
  }
  const resolver = inContainer
    ? "the DNS this container uses (/etc/resolv.conf: 127.0.0.11 on a user-defined network, Docker's DNS, which " +
      'asks the host\'s servers; set others with dns: in compose or the daemon\'s "dns" setting)'
    : "the DNS this machine uses (/etc/resolv.conf, or the system's resolver settings)";
  return (
    `No DNS server answered the lookup of the ${lookup} (${dnsCode}): this is DNS, not MongoDB. Check ${resolver}: ` +
    'it must be reachable and answer SRV queries, which some routers and VPN resolvers do not. Or use the ' +
    "provider's standard mongodb:// connection string, which lists the servers and needs no SRV lookup."
  );
}

/** The most specific failure code in a driver error: its own code, its cause, or a server's last error. */
export function failureCode(error: unknown): FailureCode {
  const seen = new Set<unknown>();
  const visit = (err: unknown): FailureCode | undefined => {
    if (err === null || typeof err !== 'object' || seen.has(err)) return undefined;
    seen.add(err);
    const e = err as { code?: unknown; codeName?: unknown; cause?: unknown; reason?: unknown; message?: unknown };
    if (srvLookup(err)) return 'DNS_SRV_FAILED';
    if (typeof e.code === 'string' && SYSTEM_CODES.includes(e.code)) return e.code;
    if (typeof e.code === 'string' && TLS_CERTIFICATE_CODES.includes(e.code)) return e.code;
    if (e.codeName === 'AuthenticationFailed' || e.code === MONGO_ERROR_CODES.AuthenticationFailed)
      return 'AUTH_FAILED';
    if (e.codeName === 'Unauthorized' || e.code === MONGO_ERROR_CODES.Unauthorized) return 'UNAUTHORIZED';
    if (wasInterrupted(err)) return 'INTERRUPTED';
    const fromCause = visit(e.cause);
    if (fromCause) return fromCause;
    // A server selection error keeps each server's last error in reason.servers.
    const servers = (e.reason as { servers?: Map<string, { error?: unknown }> } | undefined)?.servers;
    if (servers instanceof Map) {
      for (const description of servers.values()) {
        const fromServer = visit(description.error);
        if (fromServer) return fromServer;
      }
    }
    const text = typeof e.message === 'string' ? e.message : '';
    const named = SYSTEM_CODES.find((code) => text.includes(code));
    if (named) return named;
    if (/timed out|timeout/i.test(text)) return 'ETIMEDOUT';
    return undefined;
  };
  return visit(error) ?? ((error as { name?: string })?.name || 'UNKNOWN');
}

const isLoopback = (host: string) =>
  host === 'localhost' || host === '::1' || host === '[::1]' || host.startsWith('127.');

/**
 * What is known the moment the driver reports a lost connection, before a check finds out why:
 * so that the 503s in between say something true and useful, not nothing.
 */
export const connectionLost = ({ host, port }: Pick<Target, 'host' | 'port'>): Diagnosis => ({
  code: 'CONNECTION_LOST',
  message: 'the driver reported the connection to MongoDB closed',
  hint:
    `The connection to MongoDB at ${host}:${port} was lost and the driver is reconnecting by itself. ` +
    'If it stays away, GET /readyz says why.',
});

/**
 * The administrator refused by a MongoDB that is up and healthy: its data volume was initialised with
 * another password. The official image (and the offline stand-in) read MONGO_INITDB_ROOT_* only when
 * /data/db is empty, so a password file lost and made again no longer matches. What was there stays:
 * the way out is the old password, or a new, empty data volume beside the old one, never a deletion.
 */
export function dataVolumePasswordHint(passwordFile: string | undefined, writtenAt: Date | undefined): string {
  const file = passwordFile ? `${passwordFile}${writtenAt ? `, written ${writtenAt.toISOString()}` : ''}` : undefined;
  return (
    `MongoDB refused the administrator's password${file ? ` (${file})` : ''}: its data volume was initialised with ` +
    'another one. MONGO_INITDB_ROOT_USERNAME and MONGO_INITDB_ROOT_PASSWORD(_FILE) apply only to an empty /data/db, ' +
    'so the password changed since then, or its file was lost and made again (the credentials one-shot writes a new ' +
    'random one when the mongodb-credentials volume is removed or recreated). Nothing was deleted or changed: the data ' +
    'is intact. Restore the old password (its admin-password file back into the mongodb-credentials volume, from a ' +
    'backup) and run up again; or start empty and keep the old data: give /data/db a new volume, and mount the old ' +
    'one again once its password is found. `docker compose down --volumes` would delete the data.'
  );
}

/** The hint for one failure code against one target. */
export function hintFor(code: FailureCode, target: Target): string {
  const { host, port, inContainer, resolvedAddress, network } = target;
  const where = `${host}:${port}`;
  const noNetwork = inContainer && network === 'none';
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      if (noNetwork && !isLoopback(host)) return NO_NETWORK;
      if (host === 'host.docker.internal') {
        return (
          'host.docker.internal does not resolve in this container. Docker Desktop provides it; on Linux add ' +
          '`extra_hosts: ["host.docker.internal:host-gateway"]` to the API service (or `--add-host host.docker.internal:host-gateway`).'
        );
      }
      if (!host.includes('.') && !isIP(host)) {
        return (
          `"${host}" is not a name this container can resolve. Either no running container answers to it (MongoDB is ` +
          'stopped, or not started yet: compose waits for it with depends_on and condition: service_healthy), or the two ' +
          'share no user-defined network: names resolve only between containers on the same one (an alias answers only on the ' +
          'network it was given on; the default bridge has no DNS ' +
          "for container names: its containers ask the host's resolver, not Docker's at 127.0.0.11). " +
          'Put the API and MongoDB on one network, and check that the name matches the MongoDB service, container or alias.'
        );
      }
      if (code === 'EAI_AGAIN') {
        return (
          `No DNS server could look up "${host}". On an internal network (internal: true) names from outside it never ` +
          'resolve: use a MongoDB inside that network. Elsewhere, check that a DNS server is reachable.'
        );
      }
      return `DNS lookup of "${host}" failed: check the host name in MONGODB_HOST or MONGODB_URL.`;
    case 'ECONNREFUSED':
      if (isLoopback(host) && inContainer && network === 'host') {
        return (
          `Nothing listens on ${where}. This container shares the host's network (network_mode: host), so localhost is ` +
          'the host itself: start MongoDB on the host, on that port, or point MONGODB_HOST at the server.'
        );
      }
      if (isLoopback(host)) {
        return inContainer
          ? `Nothing listens on ${where} inside this container: localhost is the container itself, not your machine ` +
              'or another container. Use host.docker.internal for a MongoDB on the host, or the MongoDB service name on a shared network.'
          : `Nothing listens on ${where}: start MongoDB there, or point MONGODB_HOST / MONGODB_URL at the server.`;
      }
      if (host === 'host.docker.internal') {
        return (
          `The host refused ${where}: is MongoDB running on the host, on that port? On a Linux engine, ` +
          "host.docker.internal is the bridge gateway (host-gateway, docker0's address), so a MongoDB on the host " +
          'must listen on an address containers can reach (bindIp 0.0.0.0 or the gateway address), not only 127.0.0.1. ' +
          "On Docker Desktop it reaches the host's loopback through the VM, so 127.0.0.1 is enough: there the refusal " +
          'means nothing listens on that port.'
        );
      }
      return (
        `${where} refused the connection: the address answers but no MongoDB listens on port ${port}. Is it running, on that port? ` +
        'A MongoDB that listens only on its own loopback (bind_ip 127.0.0.1 inside its container) refuses everyone else, ' +
        'though its own healthcheck passes: give it bind_ip 0.0.0.0 (--bind_ip_all).'
      );
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      if (noNetwork && !isLoopback(host)) return NO_NETWORK;
      if (isIP(host)) {
        return (
          `No answer from ${where}: the address is wrong or stale, or out of this container's reach. Container IPs change ` +
          'when containers are recreated, and a container can reach only the networks it is attached to. Use a service ' +
          'name on a user-defined network both share, or pin the address with a static ipv4_address.'
        );
      }
      if (host === 'host.docker.internal') {
        return (
          `No answer from the host at ${where}${resolvedAddress ? ` (${resolvedAddress})` : ''}: the host's firewall drops ` +
          'traffic from containers (ufw, firewalld or an INPUT rule that drops by default; a port nothing listens on would ' +
          "refuse at once). Allow the containers' subnets to MongoDB's port, e.g. " +
          `\`ufw allow from 172.16.0.0/12 to any port ${port} proto tcp\` (docker network inspect shows the subnets in use).`
        );
      }
      if (resolvedAddress === null && !host.includes('.') && !isIP(host)) {
        return (
          `No answer from ${where}, and "${host}" no longer resolves: MongoDB's container is gone, or this container ` +
          'left the network they shared (docker network disconnect). Put them on one network again; the API reconnects by itself.'
        );
      }
      if (resolvedAddress) {
        return (
          `"${host}" resolves (to ${resolvedAddress}) but is unreachable: isolation. The network drops traffic between the ` +
          'API and MongoDB (a bridge with enable_icc=false, or a firewall rule), or MongoDB does not answer at all (paused, ' +
          'overloaded). Connect them through a network that lets them talk.'
        );
      }
      return `No answer from ${where}: check the address, the port and any firewall between the API and MongoDB.`;
    case 'ECONNRESET':
    case 'EPIPE':
      return (
        `${where} closed the connection. If it was serving a moment ago, MongoDB stopped or restarted (the API ` +
        'reconnects by itself when it is back); if it never served, is it a MongoDB server (and not, say, a TLS-only port)?'
      );
    case 'INTERRUPTED':
      return (
        `MongoDB at ${where} stopped the operation before it finished: it is shutting down or restarting, or an ` +
        'operation was killed. Retrying is safe; if it goes on, GET /readyz says why.'
      );
    case 'AUTH_FAILED':
      return (
        'MongoDB rejected the credentials: check MONGODB_USERNAME and MONGODB_PASSWORD or MONGODB_PASSWORD_FILE ' +
        '(the user must exist in the admin database; the compose files create it with the database-user one-shot). ' +
        'Right after `up`, it may not exist yet: the API retries by itself, and waits for it with ' +
        'depends_on database-user: condition: service_completed_successfully.'
      );
    case 'UNAUTHORIZED':
      return (
        'MongoDB requires a signed-in user with the right to this database: set MONGODB_USERNAME and MONGODB_PASSWORD ' +
        'or MONGODB_PASSWORD_FILE, for a user with the readWrite role on it.'
      );
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'CERT_HAS_EXPIRED':
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return (
        `The API refused the TLS certificate of ${where} (${code}): it trusts only the CA in MONGODB_TLS_CA_FILE, and ` +
        'the server name must be one the certificate names. With compose/parts/mongodb-tls.yml, that CA is ' +
        "/run/tls/ca.pem from the stack's own mongodb-tls volume; a new volume means a new CA."
      );
    default:
      return `Could not reach MongoDB at ${where}: see the error message.`;
  }
}

/** What a replica set's hello told the driver: its name, and its members as it lists them. */
interface ReplicaSetView {
  setName: string;
  topology: string;
  members: string[];
}

/**
 * The replica set a server selection error saw, when the host the API was given is not among the
 * members the set lists: the driver dropped that name and dialled the listed ones instead.
 */
function replicaSetElsewhere(error: unknown, { host, port }: Target): ReplicaSetView | undefined {
  const reason = (error as { reason?: { type?: unknown; setName?: unknown; servers?: unknown } } | null)?.reason;
  if (!reason || typeof reason.setName !== 'string' || !(reason.servers instanceof Map)) return undefined;
  const members = [...(reason.servers as Map<string, unknown>).keys()];
  if (members.length === 0 || members.includes(`${host}:${port}`)) return undefined;
  return { setName: reason.setName, topology: String(reason.type), members };
}

function replicaSetHint({ setName, topology, members }: ReplicaSetView, cause: FailureCode, target: Target): string {
  const listed = members.join(', ');
  return (
    `${target.host}:${target.port} answered as a member of replica set "${setName}", which names its members ` +
    `${listed}: the driver then connects to those names, not to the one it was given, and here they fail (${cause}; ` +
    `topology ${topology}). Connect to this one server as given with directConnection=true in the connection ` +
    `string, or make the members' names resolve and answer from here: a network alias with that name, or ` +
    'rs.reconfig() with names the clients use (the service name), not a host name only the servers know.'
  );
}

/** Mongoose's own message when it queued an operation and no connection opened in time (bufferCommands). */
const BUFFERING = /buffering timed out after \d+ms/;

const BUFFERING_HINT =
  'Mongoose queued the operation while it had no open connection, and gave up (bufferCommands, 10 s by default): ' +
  "this says nothing about why. The real error is the connection's: await mongoose.connect() and log its " +
  "rejection, or listen for the connection's 'error' event. With bufferCommands: false (as this API runs), an " +
  'operation fails at once with the cause instead of waiting.';

/** localhost resolved to IPv6's loopback first, and the client tried that address alone. */
const IPV6_LOOPBACK_REFUSED = /ECONNREFUSED ::1:\d+/;

const localhostIpv6Hint = ({ host, port }: Target) =>
  `"${host}" resolved to ::1, IPv6's loopback, and nothing listens on [::1]:${port}: MongoDB listens on ` +
  `127.0.0.1 only (bind_ip 127.0.0.1, mongod's default outside containers), and this client tried ::1 alone ` +
  '(Node 17 to 19, or autoSelectFamily=false; Node 20 and later fall back to 127.0.0.1 by default). ' +
  `Use 127.0.0.1:${port} instead of localhost, or have MongoDB listen on both (--ipv6 --bind_ip 127.0.0.1,::1).`;

export function diagnose(error: unknown, target: Target): Diagnosis {
  // Not `instanceof Error`: Node's own errors come from another realm under Jest's sandbox.
  const text = (error as { message?: unknown } | null)?.message;
  const message = typeof text === 'string' ? text : String(error);
  const lookup = srvLookup(error);
  if (lookup) return { code: 'DNS_SRV_FAILED', message, hint: srvHint(lookup, target) };
  if (BUFFERING.test(message)) return { code: 'BUFFERING_TIMEOUT', message, hint: BUFFERING_HINT };
  const replicaSet = replicaSetElsewhere(error, target);
  if (replicaSet) {
    return { code: 'REPLICA_SET_MEMBER', message, hint: replicaSetHint(replicaSet, failureCode(error), target) };
  }
  const code = failureCode(error);
  if (code === 'ECONNREFUSED' && isLoopback(target.host) && IPV6_LOOPBACK_REFUSED.test(message)) {
    return { code: 'LOCALHOST_IPV6', message, hint: localhostIpv6Hint(target) };
  }
  return { code, message, hint: hintFor(code, target) };
}
