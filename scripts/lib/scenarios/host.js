// @ts-check
// compose/host.yml: the API reaches a MongoDB on the host, at host.docker.internal.
'use strict';

const { docker } = require('../engine');
const { buildToolboxImage, toolboxImage } = require('../images');
const { named, readyz, shellLine, startContainer } = require('./evidence');

/** The container that stands in for "MongoDB installed on your machine", when nothing listens there already. */
const HOST_MONGO = 'favorites-host-mongodb';

/** A cluster's host name as a provider's mongodb+srv:// string gives it; example.net has no SRV record. */
const SRV_URL = 'mongodb+srv://cluster0.example.net/swfavorites';

/**
 * The API run by hand with a mongodb+srv:// URL, published on the spare port. `dns`: its DNS server.
 * @param {import('./types').BreakContext} ctx
 * @param {string[]} dns `--dns <address>`, or nothing for Docker's own choice
 */
const srvApiArgs = (ctx, dns) => [
  ...dns,
  ...['-p', `127.0.0.1:${ctx.sparePort}:3000`, '-e', `MONGODB_URL=${SRV_URL}`],
  ...['-e', `SWAPI_BASE_URL=${ctx.images.SWAPI_BASE_URL ?? 'https://swapi.dev/api'}`, ctx.apiImage],
];

/**
 * The API's container, and the port host.yml gives it for the host's MongoDB (MONGODB_PORT).
 * @param {import('./types').BreakContext} ctx
 */
function apiTarget(ctx) {
  const container = `${ctx.project}-favorites-1`;
  const env = docker(['inspect', '--format', '{{range .Config.Env}}{{println .}}{{end}}', container]).stdout;
  const port = /^MONGODB_PORT=(\d+)$/m.exec(env)?.[1] ?? '27017';
  return { container, port };
}

/**
 * The rule that stands in for the host's firewall: in the API container's own network namespace (the
 * toolbox joins it with NET_ADMIN), never in the host's tables. host.docker.internal resolves there as
 * the API resolves it, from the API's /etc/hosts: the gateway address.
 * @param {import('./types').BreakContext} ctx
 * @param {string} image the toolbox's
 */
function firewallCommand(ctx, image) {
  const { container, port } = apiTarget(ctx);
  return [
    ...['run', '--rm', '--network', `container:${container}`, '--cap-add', 'NET_ADMIN', image],
    ...['iptables', '-I', 'OUTPUT', '-d', 'host.docker.internal', '-p', 'tcp', '--dport', port, '-j', 'DROP'],
  ];
}

/** @type {import('./types').Scenario & { HOST_MONGO: string, srvApiArgs: typeof srvApiArgs }} */
module.exports = {
  name: 'host',
  title: 'MongoDB on the host',
  reachedBy: 'host.docker.internal:27017',
  HOST_MONGO,
  srvApiArgs,
  breaks: {
    'loopback-only': {
      what: "the host's MongoDB listens on 127.0.0.1 only",
      command: `docker run -d --name ${HOST_MONGO} -p 127.0.0.1:27017:27017 <mongo image>`,
      // stack.js's startHostMongo first removes the container of its name: the working, gateway-published one.
      run: (ctx) => ctx.startHostMongo('127.0.0.1'),
      show: readyz(),
      fix:
        'On a Linux engine, containers reach the host through the bridge gateway, not 127.0.0.1. Make MongoDB ' +
        'listen on 0.0.0.0 (bindIp), or on the docker0 address, and firewall the port as you see fit. ' +
        "(Docker Desktop reaches the host's 127.0.0.1 through its VM: there 127.0.0.1 is enough.)",
    },
    'firewall-drop': {
      what:
        "a firewall drops the API's traffic to the host's MongoDB port: an iptables DROP rule, put in the API " +
        "container's own network namespace so that the host's tables stay untouched",
      command: (ctx) => `docker ${shellLine(firewallCommand(ctx, toolboxImage(ctx.images)))}`,
      run: (ctx) => {
        buildToolboxImage(ctx.images);
        const dropped = docker(firewallCommand(ctx, toolboxImage(ctx.images)));
        if (!dropped.ok) throw new Error(`cannot add the firewall rule: ${dropped.stderr}`);
      },
      show: readyz(),
      fix:
        "Let the containers' traffic through the host's firewall to MongoDB's port: allow their subnets (docker " +
        "network inspect shows each one's; Docker's default pools are 172.17.0.0/16 to 172.31.0.0/16 and " +
        '192.168.0.0/16), e.g. `sudo ufw allow from 172.16.0.0/12 to any port 27017 proto tcp`, or ' +
        '`sudo iptables -I INPUT -s 172.16.0.0/12 -p tcp --dport 27017 -j ACCEPT`. A dropped packet gets no ' +
        'answer, so the API waits for its connect timeout; a port nothing listens on would refuse at once. ' +
        "Here the rule lives in the API container's namespace, which goes with the container.",
      // `up` leaves a running container as it is, rule and all; a restart gives it a new namespace.
      undo: 'docker compose -f compose/host.yml restart favorites',
    },
    'srv-loopback-dns': {
      what:
        'a second API is given a mongodb+srv:// URL, as cloud providers hand them out, in a container whose DNS ' +
        "server is a loopback address (--dns 127.0.0.1, as a host's systemd-resolved or dnsmasq address would be)",
      command: (ctx) =>
        `docker run -d --name ${named(ctx, 'srv-dns')} ${shellLine(srvApiArgs(ctx, ['--dns', '127.0.0.1']))}`,
      containers: ['srv-dns'],
      run: (ctx) => startContainer(named(ctx, 'srv-dns'), srvApiArgs(ctx, ['--dns', '127.0.0.1'])),
      show: (ctx) => readyz({ url: `http://localhost:${ctx.sparePort}`, container: named(ctx, 'srv-dns') })(ctx),
      fix:
        "Give the container a DNS server it can reach: a loopback address there is the container's own, where " +
        'nothing answers. Drop it from dns: in compose or the daemon\'s "dns" setting (Docker then uses the host\'s ' +
        "upstream servers, or its own DNS on a user-defined network), or use the provider's standard mongodb:// " +
        'connection string, which lists the servers and needs no SRV lookup.',
    },
  },
};
