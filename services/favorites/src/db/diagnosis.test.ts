import { createSocket, type Socket } from 'node:dgram';
import { promises as dns } from 'node:dns';
import {
  containerNetwork,
  dataVolumePasswordHint,
  diagnose,
  failureCode,
  hintFor,
  runningInContainer,
} from './diagnosis';
import { createConnection, Schema } from 'mongoose';

const inContainer = { host: 'localhost', port: 27017, inContainer: true };

/**
 * A DNS server on a loopback UDP port that answers every query with one response code and no
 * records (3: NXDOMAIN; 0 with no answer: the name exists, without that record), or never answers.
 */
async function dnsServer(answer: { rcode: number } | 'silent'): Promise<{ address: string; socket: Socket }> {
  const socket = createSocket('udp4');
  socket.on('message', (query, peer) => {
    if (answer === 'silent') return;
    // The query's id and question, flagged as a response (QR, RD, RA) with the code and no records.
    const header = Buffer.from([query[0], query[1], 0x81, 0x80 | answer.rcode, 0, 1, 0, 0, 0, 0, 0, 0]);
    socket.send(Buffer.concat([header, query.subarray(12)]), peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { address: `127.0.0.1:${socket.address().port}`, socket };
}

/** A loopback UDP port nothing listens on: the kernel refuses datagrams to it. */
async function closedUdpPort(): Promise<string> {
  const { address, socket } = await dnsServer('silent');
  await new Promise<void>((resolve) => socket.close(resolve));
  return address;
}

/**
 * The error Node's resolver gives for one DNS query against one server, as the mongodb driver gets
 * it: for mongodb+srv it runs dns.promises.resolveSrv (and resolveTxt) and throws what they throw.
 */
async function dnsError(server: string, query: (resolver: dns.Resolver) => Promise<unknown>): Promise<unknown> {
  const resolver = new dns.Resolver({ timeout: 200, tries: 1 });
  resolver.setServers([server]);
  return query(resolver).then(
    () => {
      throw new Error('the query was answered');
    },
    (error: unknown) => error,
  );
}

describe('failureCode', () => {
  it("takes the system code from a server selection error's server descriptions", () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 172.17.0.1:27017'), { code: 'ECONNREFUSED' });
    const error = Object.assign(new Error('Server selection timed out'), {
      name: 'MongooseServerSelectionError',
      reason: { servers: new Map([['mongodb:27017', { error: { name: 'MongoNetworkError', message: 'x', cause } }]]) },
    });

    expect(failureCode(error)).toBe('ECONNREFUSED');
  });

  it('follows cause chains', () => {
    const error = new Error('outer', {
      cause: new Error('middle', { cause: Object.assign(new Error('dns'), { code: 'ENOTFOUND' }) }),
    });

    expect(failureCode(error)).toBe('ENOTFOUND');
  });

  it('reads a code from the message when nothing carries one', () => {
    expect(failureCode(new Error('getaddrinfo EAI_AGAIN mongodb'))).toBe('EAI_AGAIN');
  });

  it('calls a selection timeout with no server error a timeout', () => {
    expect(failureCode(new Error('Server selection timed out after 1000 ms'))).toBe('ETIMEDOUT');
  });

  it('recognises refused credentials', () => {
    expect(
      failureCode(Object.assign(new Error('Authentication failed.'), { code: 18, codeName: 'AuthenticationFailed' })),
    ).toBe('AUTH_FAILED');
  });

  it('reads code 13 (a command that needs a signed-in user, or a role the user lacks) as UNAUTHORIZED', () => {
    expect(
      failureCode(
        Object.assign(new Error('Command createIndexes requires authentication'), {
          code: 13,
          codeName: 'Unauthorized',
        }),
      ),
    ).toBe('UNAUTHORIZED');
  });

  it("keeps OpenSSL's verdict on a server certificate as the code, from a server description's cause", () => {
    const cause = Object.assign(new Error('unable to verify the first certificate'), {
      code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    });
    const error = Object.assign(new Error('unable to verify the first certificate'), {
      name: 'MongooseServerSelectionError',
      reason: { servers: new Map([['mongodb:27017', { error: { name: 'MongoNetworkError', message: 'x', cause } }]]) },
    });

    expect(failureCode(error)).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    expect(hintFor('UNABLE_TO_VERIFY_LEAF_SIGNATURE', { host: 'mongodb', port: 27017, inContainer: true })).toMatch(
      /^The API refused the TLS certificate of mongodb:27017 \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\): it trusts only the CA in MONGODB_TLS_CA_FILE/,
    );
  });

  it('falls back to the error name', () => {
    expect(failureCode(Object.assign(new Error('weird'), { name: 'MongoParseError' }))).toBe('MongoParseError');
  });
});

describe('hintFor', () => {
  it('when localhost refuses outside a container, says to start MongoDB or change the address', () => {
    expect(hintFor('ECONNREFUSED', { ...inContainer, inContainer: false })).toBe(
      'Nothing listens on localhost:27017: start MongoDB there, or point MONGODB_HOST / MONGODB_URL at the server.',
    );
  });

  it('when 127.0.0.1 refuses inside a container, says localhost is the container itself', () => {
    expect(hintFor('ECONNREFUSED', { ...inContainer, host: '127.0.0.1' })).toContain(
      'localhost is the container itself',
    );
  });

  it('when host.docker.internal refuses, says the host MongoDB must not listen on 127.0.0.1 only', () => {
    expect(hintFor('ECONNREFUSED', { ...inContainer, host: 'host.docker.internal' })).toContain('not only 127.0.0.1');
  });

  it('when a fully qualified name does not resolve, points at the host name setting', () => {
    expect(hintFor('ENOTFOUND', { ...inContainer, host: 'db.example.org' })).toBe(
      'DNS lookup of "db.example.org" failed: check the host name in MONGODB_HOST or MONGODB_URL.',
    );
  });

  it('when a host is unreachable by IP, says container IPs change', () => {
    expect(hintFor('EHOSTUNREACH', { ...inContainer, host: '172.28.0.10' })).toContain(
      'Container IPs change when containers are recreated',
    );
  });

  it('when host.docker.internal times out, mentions a firewall', () => {
    expect(hintFor('ETIMEDOUT', { ...inContainer, host: 'host.docker.internal' })).toContain('firewall');
  });

  it("when host.docker.internal times out, names the host's firewall, the gateway address and the rule that lets the port through", () => {
    const hint = hintFor('ETIMEDOUT', {
      ...inContainer,
      host: 'host.docker.internal',
      port: 27018,
      resolvedAddress: '172.17.0.1',
    });

    expect(hint).toContain(
      "No answer from the host at host.docker.internal:27018 (172.17.0.1): the host's firewall drops",
    );
    expect(hint).toContain('`ufw allow from 172.16.0.0/12 to any port 27018 proto tcp`');
  });

  it('when a service name does not resolve, names both causes: a container that is not running, or a network not shared', () => {
    const hint = hintFor('ENOTFOUND', { ...inContainer, host: 'mongodb' });

    expect(hint).toContain('no running container answers to it (MongoDB is stopped, or not started yet');
    expect(hint).toContain('share no user-defined network');
  });

  it('when a name resolves but nothing answers, says "resolves but unreachable: isolation", not a stale address', () => {
    const hint = hintFor('ETIMEDOUT', { ...inContainer, host: 'mongodb', resolvedAddress: '172.30.0.2' });

    expect(hint).toContain('"mongodb" resolves (to 172.30.0.2) but is unreachable: isolation');
    expect(hint).toContain('enable_icc=false');
    expect(hint).not.toContain('stale');
  });

  it('when an address from another network times out, says it may be out of reach as well as stale', () => {
    expect(hintFor('ETIMEDOUT', { ...inContainer, host: '172.28.0.10' })).toContain(
      "the address is wrong or stale, or out of this container's reach",
    );
  });

  it('when MongoDB refuses its own address, names bind_ip', () => {
    expect(hintFor('ECONNREFUSED', { ...inContainer, host: 'mongodb', resolvedAddress: '172.30.0.2' })).toContain(
      'bind_ip 0.0.0.0 (--bind_ip_all)',
    );
  });

  it("when localhost refuses in a container on the host's network, says localhost is the host, not the container", () => {
    const hint = hintFor('ECONNREFUSED', { ...inContainer, network: 'host' });

    expect(hint).toContain("shares the host's network (network_mode: host), so localhost is the host itself");
    expect(hint).not.toContain('localhost is the container itself');
  });

  it.each(['ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'ETIMEDOUT'])(
    'when a container without a network gets %s, says it has only loopback',
    (code) => {
      expect(hintFor(code, { ...inContainer, host: 'mongodb', network: 'none' })).toContain(
        'only loopback (network_mode: none)',
      );
    },
  );

  it('when a container has no network, says to disconnect it from none before connecting it: Docker refuses a second network next to none', () => {
    const hint = hintFor('EAI_AGAIN', { ...inContainer, host: 'mongodb', network: 'none' });

    expect(hint).toContain(
      'docker network disconnect none <container>, then docker network connect <network> <container>',
    );
    expect(hint).toContain('or recreate it without network_mode: none');
    expect(hint).not.toMatch(/Attach it to the network MongoDB is on \(docker network connect/);
  });

  it('when host.docker.internal refuses, says what applies on a Linux engine and what on Docker Desktop', () => {
    const hint = hintFor('ECONNREFUSED', { ...inContainer, host: 'host.docker.internal' });

    expect(hint).toContain('On a Linux engine, host.docker.internal is the bridge gateway');
    expect(hint).toContain('not only 127.0.0.1');
    expect(hint).toContain("On Docker Desktop it reaches the host's loopback through the VM, so 127.0.0.1 is enough");
  });

  it('when an outside name gets no DNS answer (EAI_AGAIN), mentions internal networks', () => {
    expect(hintFor('EAI_AGAIN', { ...inContainer, host: 'db.example.org' })).toContain(
      'On an internal network (internal: true) names from outside it never resolve',
    );
  });

  it('when a name stopped resolving while its connection hung, says the container is gone or the network was left', () => {
    expect(hintFor('ETIMEDOUT', { ...inContainer, host: 'mongodb', resolvedAddress: null })).toContain(
      '"mongodb" no longer resolves',
    );
  });

  it('when credentials are refused, names the variables to check', () => {
    expect(hintFor('AUTH_FAILED', inContainer)).toContain(
      'MONGODB_USERNAME and MONGODB_PASSWORD or MONGODB_PASSWORD_FILE',
    );
  });

  it('when a command needs a signed-in user, says which variables to set and which role the user needs', () => {
    expect(hintFor('UNAUTHORIZED', inContainer)).toMatch(/set MONGODB_USERNAME .* readWrite role/);
  });
});

describe('a mongodb+srv host whose DNS lookup fails', () => {
  const srvName = '_mongodb._tcp.cluster0.example.net';
  const target = { host: 'cluster0.example.net', port: 27017, inContainer: true, network: 'bridge' as const };
  const servers: Socket[] = [];
  afterAll(() => servers.forEach((socket) => socket.close()));

  async function srvError(answer: { rcode: number } | 'silent' | 'refused', record: 'SRV' | 'TXT' = 'SRV') {
    let server: string;
    if (answer === 'refused') server = await closedUdpPort();
    else {
      const started = await dnsServer(answer);
      servers.push(started.socket);
      server = started.address;
    }
    return dnsError(server, (resolver) =>
      record === 'SRV' ? resolver.resolveSrv(srvName) : resolver.resolveTxt(target.host),
    );
  }

  it.each([
    ['querySrv ECONNREFUSED', 'refused' as const],
    ['querySrv ETIMEOUT', 'silent' as const],
    ['querySrv ENOTFOUND', { rcode: 3 }],
    ['querySrv ENODATA', { rcode: 0 }],
  ])(
    'when Node says "%s <SRV name>", diagnoses DNS (not MongoDB) and names the SRV name it tried',
    async (text, answer) => {
      const error = await srvError(answer);

      const diagnosis = diagnose(error, target);

      expect(diagnosis.message).toBe(`${text} ${srvName}`);
      expect(diagnosis.code).toBe('DNS_SRV_FAILED');
      expect(diagnosis.hint).toContain(`SRV record ${srvName}`);
      expect(diagnosis.hint).not.toContain('bind_ip');
      expect(diagnosis.hint).not.toContain('No answer from');
    },
  );

  it.each([
    ['ENOTFOUND (no such name)', { rcode: 3 }],
    ['ENODATA (the name has no SRV record)', { rcode: 0 }],
  ])('when the DNS answers %s, says to check the cluster host name or use a mongodb:// URL', async (_, answer) => {
    const { hint } = diagnose(await srvError(answer), target);

    expect(hint).toContain(`The DNS server answered that there is no SRV record ${srvName}`);
    expect(hint).toContain('the cluster host name');
    expect(hint).toContain('mongodb://');
  });

  it.each([
    ['ECONNREFUSED', 'refused' as const],
    ['ETIMEOUT', 'silent' as const],
  ])('when no DNS server answers (%s), points at the DNS the container uses, not at MongoDB', async (_, answer) => {
    const { hint } = diagnose(await srvError(answer), target);

    expect(hint).toContain(`No DNS server answered the lookup of the SRV record ${srvName}`);
    expect(hint).toContain('the DNS this container uses');
    expect(hint).toContain('/etc/resolv.conf');
  });

  it('outside a container, points at the DNS this machine uses', async () => {
    const { hint } = diagnose(await srvError('refused'), { ...target, inContainer: false });

    expect(hint).toContain('the DNS this machine uses');
    expect(hint).not.toContain('container');
  });

  it('when the TXT lookup that goes with it fails, names the TXT record and diagnoses DNS too', async () => {
    const error = await srvError('silent', 'TXT');

    const diagnosis = diagnose(error, target);

    expect(diagnosis.message).toBe('queryTxt ETIMEOUT cluster0.example.net');
    expect(diagnosis.code).toBe('DNS_SRV_FAILED');
    expect(diagnosis.hint).toContain('TXT record cluster0.example.net');
  });

  it('failureCode calls it DNS_SRV_FAILED too, not the DNS error code it carries', async () => {
    expect(failureCode(await srvError('refused'))).toBe('DNS_SRV_FAILED');
  });
});

describe('containerNetwork', () => {
  it.each([
    [['lo'], 'none'],
    [['lo', 'eth0'], 'bridge'],
    [['lo', 'eth0', 'eth1'], 'bridge'],
    [['lo', 'eth0', 'docker0', 'br-1a2b3c'], 'host'],
    // Fallback tunnel devices: every new namespace gets them while their kernel module is loaded.
    [['lo', 'tunl0', 'ip6tnl0'], 'none'],
    [['erspan0', 'gre0', 'gretap0', 'ip6_vti0', 'ip6gre0', 'ip_vti0', 'lo', 'sit0', 'tunl0'], 'none'],
    [['lo', 'eth0', 'tunl0', 'ip6tnl0'], 'bridge'],
    // The host's own interfaces without a docker0: another bridge name, another engine.
    [['lo', 'eth0', 'br-1a2b3c4d5e6f', 'veth1d2e3f4'], 'host'],
    [['lo', 'enp3s0', 'podman0', 'veth0'], 'host'],
    [['lo', 'ens3', 'cni-podman0'], 'host'],
    [['lo', 'wlp2s0', 'veth5a6b7c8'], 'host'],
    [['cni0', 'eth0', 'flannel.1', 'lo', 'vethab12cd34'], 'host'],
  ])('reads interfaces %j as %s', (interfaces, network) => {
    expect(containerNetwork(interfaces)).toBe(network);
  });
});

describe('runningInContainer', () => {
  /** A machine with nothing that marks a container: a host. */
  const host = { exists: () => false, read: () => '', env: {} };
  const cgroupV1 = (path: string) => `12:pids:${path}\n0::${path}\n`;
  const mountinfo = (source: string) =>
    `24 1 254:0 / / rw - ext4 /dev/vda rw\n275 257 254:0 ${source} /etc/hostname rw,relatime - ext4 /dev/vda rw\n`;

  it.each([
    ["Docker's /.dockerenv", { exists: (path: string) => path === '/.dockerenv' }],
    ["Podman's /run/.containerenv", { exists: (path: string) => path === '/run/.containerenv' }],
    ["Kubernetes' KUBERNETES_SERVICE_HOST", { env: { KUBERNETES_SERVICE_HOST: '10.96.0.1' } }],
    ['the container variable Podman, LXC and systemd-nspawn set', { env: { container: 'podman' } }],
    [
      'a Docker cgroup',
      { read: (path: string) => (path === '/proc/1/cgroup' ? cgroupV1('/docker/5b04e4b6d65b') : '') },
    ],
    [
      'a Kubernetes pod cgroup',
      { read: (path: string) => (path === '/proc/1/cgroup' ? cgroupV1('/kubepods/besteffort/pod1a2b/3c4d') : '') },
    ],
    [
      'an /etc/hostname the engine mounted (a private cgroup namespace shows only "/")',
      {
        read: (path: string) =>
          path === '/proc/self/mountinfo'
            ? mountinfo('/var/lib/containers/storage/overlay-containers/ab/userdata/hostname')
            : '',
      },
    ],
  ])('is true with %s', (_, signal) => {
    expect(runningInContainer({ ...host, ...signal })).toBe(true);
  });

  it('is false on a host: no marker file, no variable, a cgroup of its own, /etc/hostname not mounted', () => {
    const read = (path: string) =>
      path === '/proc/1/cgroup' ? cgroupV1('/init.scope') : '24 1 254:0 / / rw - ext4 /dev/vda rw\n';

    expect(runningInContainer({ ...host, read })).toBe(false);
  });
});

describe('diagnose', () => {
  it('combines code, message and hint', () => {
    const error = Object.assign(new Error('getaddrinfo ENOTFOUND mongodb'), { code: 'ENOTFOUND' });

    expect(diagnose(error, { ...inContainer, host: 'mongodb' })).toEqual({
      code: 'ENOTFOUND',
      message: 'getaddrinfo ENOTFOUND mongodb',
      hint: expect.stringContaining('user-defined network'),
    });
  });
});

describe('dataVolumePasswordHint', () => {
  it('names the password file and when it was written, says the data is intact, and gives both ways out', () => {
    const hint = dataVolumePasswordHint('/run/secrets/mongodb/admin-password', new Date('2026-12-04T16:32:54.547Z'));

    expect(hint).toContain(
      "MongoDB refused the administrator's password (/run/secrets/mongodb/admin-password, written 2026-12-04T16:32:54.547Z)",
    );
    expect(hint).toContain('apply only to an empty /data/db');
    expect(hint).toContain('Nothing was deleted or changed: the data is intact.');
    expect(hint).toContain('Restore the old password');
    expect(hint).toContain('start empty and keep the old data');
  });

  it('without a file (a password given directly), still says why and what to do', () => {
    expect(dataVolumePasswordHint(undefined, undefined)).toMatch(
      /^MongoDB refused the administrator's password: its data volume was initialised with another one\./,
    );
  });
});

describe('a replica set that names its members differently from the host the API was given', () => {
  // The shape of the driver's MongoServerSelectionError: its reason is the topology it saw.
  const selectionError = (servers: string[]) =>
    Object.assign(new Error('getaddrinfo ENOTFOUND mongo1'), {
      name: 'MongoServerSelectionError',
      reason: {
        type: 'ReplicaSetNoPrimary',
        setName: 'rs0',
        servers: new Map(
          servers.map((address) => [
            address,
            { error: Object.assign(new Error('getaddrinfo ENOTFOUND mongo1'), { code: 'ENOTFOUND' }) },
          ]),
        ),
      },
    });

  it('when the set lists only mongo1, is REPLICA_SET_MEMBER, naming the set, the member, the cause and both fixes', () => {
    const { code, message, hint } = diagnose(selectionError(['mongo1:27017']), { ...inContainer, host: 'mongodb' });

    expect(code).toBe('REPLICA_SET_MEMBER');
    expect(message).toBe('getaddrinfo ENOTFOUND mongo1');
    expect(hint).toContain(
      'mongodb:27017 answered as a member of replica set "rs0", which names its members mongo1:27017',
    );
    expect(hint).toContain('(ENOTFOUND; topology ReplicaSetNoPrimary)');
    expect(hint).toContain('directConnection=true');
    expect(hint).toContain('a network alias with that name');
  });

  it("when the host the API was given is a member, is the member's own failure", () => {
    expect(diagnose(selectionError(['mongodb:27017']), { ...inContainer, host: 'mongodb' }).code).toBe('ENOTFOUND');
  });
});

describe("mongoose's buffering timeout", () => {
  it('when mongoose queued a query and never connected, is BUFFERING_TIMEOUT, pointing at the connection error', async () => {
    // A real mongoose connection that is never opened, with buffering on as mongoose has it by default.
    const connection = createConnection();
    const Favorite = connection.model('Favorite', new Schema({ name: String }, { bufferTimeoutMS: 20 }));
    const error = await Favorite.find().then(
      () => undefined,
      (e: unknown) => e,
    );

    const { code, message, hint } = diagnose(error, { ...inContainer, host: 'mongodb' });

    expect(message).toBe('Operation `favorites.find()` buffering timed out after 20ms');
    expect(code).toBe('BUFFERING_TIMEOUT');
    expect(hint).toContain('The real error is the connection');
    await connection.close();
  });
});

describe('localhost that resolved to ::1 where MongoDB listens on 127.0.0.1 only', () => {
  const refused = (address: string) =>
    Object.assign(new Error(`connect ECONNREFUSED ${address}:27017`), {
      name: 'MongoServerSelectionError',
      cause: Object.assign(new Error(`connect ECONNREFUSED ${address}:27017`), { code: 'ECONNREFUSED' }),
    });

  it('when ::1 refused the connection to localhost, is LOCALHOST_IPV6, with 127.0.0.1 and both listeners as fixes', () => {
    const { code, message, hint } = diagnose(refused('::1'), inContainer);

    expect(code).toBe('LOCALHOST_IPV6');
    expect(message).toBe('connect ECONNREFUSED ::1:27017');
    expect(hint).toContain('"localhost" resolved to ::1, IPv6\'s loopback, and nothing listens on [::1]:27017');
    expect(hint).toContain('Use 127.0.0.1:27017 instead of localhost');
  });

  it('when 127.0.0.1 refused it, is ECONNREFUSED, as before', () => {
    expect(diagnose(refused('127.0.0.1'), inContainer).code).toBe('ECONNREFUSED');
  });
});
