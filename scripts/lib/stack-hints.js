// @ts-check
// What stack.js says when `docker compose up` itself fails, before the API can explain anything in
// /readyz: it looks at what the engine holds (the networks in the way, the one-shots that failed)
// and names the cause. The API's own hints are services/favorites/src/db/diagnosis.ts'; the codes
// here are their counterparts for the stack, and docs/errors.md names both.
'use strict';

const { stripVTControlCharacters } = require('node:util');
const { docker } = require('./engine');

/** A one-shot that exits non-zero holds the API back: `up` then says only "didn't complete successfully". */
const FAILED_ONE_SHOT = 'ONE_SHOT_FAILED';
/** `Pool overlaps with other one on this address space`: another network holds a fixed subnet of the file's. */
const POOL_OVERLAP = 'POOL_OVERLAP';

/** `dependency failed to start: container … is unhealthy`: a service's healthcheck kept failing. */
const UNHEALTHY = 'UNHEALTHY';

/** Every code this module can name. */
const STACK_HINT_CODES = [FAILED_ONE_SHOT, POOL_OVERLAP, UNHEALTHY];

/** @param {string} address a.b.c.d */
const addressNumber = (address) => address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);

/**
 * True when two IPv4 subnets (a.b.c.d/n) share an address.
 * @param {string} a
 * @param {string} b
 */
function overlap(a, b) {
  const [[aBase, aBits], [bBase, bBits]] = [a.split('/'), b.split('/')];
  const bits = Math.min(Number(aBits), Number(bBits));
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return (addressNumber(aBase) & mask) >>> 0 === (addressNumber(bBase) & mask) >>> 0;
}

/**
 * Every Docker network with its IPv4 subnets. One at a time: a network may go between `ls` and `inspect`.
 * @returns {{ name: string, subnets: string[] }[]}
 */
function networkSubnets() {
  return docker(['network', 'ls', '--format', '{{.Name}}'])
    .stdout.split('\n')
    .filter(Boolean)
    .map((name) => ({
      name,
      subnets: docker(['network', 'inspect', '--format', '{{range .IPAM.Config}}{{.Subnet}} {{end}}', name])
        .stdout.split(' ')
        .filter((subnet) => /^\d+\.\d+\.\d+\.\d+\/\d+$/.test(subnet)),
    }));
}

/**
 * The fixed subnets a compose file asks for (ipam.config[].subnet), by its network's key.
 * @param {{ networks?: Record<string, { name?: string, ipam?: { config?: { subnet?: string }[] } }> }} config
 *   `docker compose config --format json`
 */
const fixedSubnets = (config) =>
  Object.entries(config.networks ?? {}).flatMap(([key, network]) =>
    (network.ipam?.config ?? []).flatMap(({ subnet }) => (subnet ? [{ key, name: network.name ?? key, subnet }] : [])),
  );

/**
 * The networks that already hold an address of one of the file's fixed subnets, other than the
 * file's own: why the engine answers `Pool overlaps with other one on this address space`.
 * @param {Parameters<typeof fixedSubnets>[0]} config
 */
function overlappingNetworks(config) {
  const wanted = fixedSubnets(config);
  const own = new Set(wanted.map(({ name }) => name));
  return networkSubnets().flatMap(({ name, subnets }) =>
    own.has(name)
      ? []
      : wanted.flatMap((mine) =>
          subnets.filter((theirs) => overlap(mine.subnet, theirs)).map((theirs) => ({ mine, name, theirs })),
        ),
  );
}

/**
 * What to change when another network holds the subnet a compose file fixes.
 * @param {{ mine: { key: string, subnet: string }, name: string, theirs: string }} found
 */
const poolOverlapHint = ({ mine, name, theirs }) =>
  `${POOL_OVERLAP}: the network ${name} already holds ${theirs}, which overlaps ${mine.subnet}, the subnet this file ` +
  `fixes for ${mine.key}: Docker gives one address range to one network only ("Pool overlaps with other one on ` +
  `this address space"). Pick a free subnet (compose/ip.yml: FAVORITES_SUBNET=<a.b.c.0/24> MONGO_IP=<a.b.c.10>), ` +
  `or remove the other network if nothing uses it (docker network rm ${name}). This message is about Docker's own ` +
  "networks; a VPN's route over the same range may give no error at all, and then the more specific route takes those addresses.";

/**
 * The project's containers, as `compose ps` lists them.
 * @param {import('./scenarios/types').ComposeRunner} compose
 * @returns {{ Name: string, Service: string, State: string, Health: string, ExitCode: number }[]}
 */
function listServices(compose) {
  const listed = compose(['ps', '--all', '--format', 'json'], {}, 'pipe', { check: false });
  // Compose 2.21 and later print one JSON object a line; earlier ones, one array.
  return listed
    .split('\n')
    .filter(Boolean)
    .flatMap((line) => JSON.parse(line));
}

/**
 * The one-shots of the project that exited with an error, each with its last log line, which says why.
 * @param {import('./scenarios/types').ComposeRunner} compose
 */
function failedOneShots(compose) {
  return listServices(compose)
    .filter(({ State, ExitCode }) => State === 'exited' && ExitCode !== 0)
    .map(({ Service, ExitCode }) => {
      const log = compose(['logs', '--no-log-prefix', Service], {}, 'pipe', { check: false });
      const last = stripVTControlCharacters(log).trim().split('\n').pop() ?? '';
      return `${FAILED_ONE_SHOT}: ${Service} exited with ${ExitCode}, and its log ends:\n${last}`;
    });
}

/**
 * What to change when a service's healthcheck keeps failing, from its last check's exit code and output.
 * @param {{ service: string, exitCode: number, output: string }} check
 */
function unhealthyHint({ service, exitCode, output }) {
  const said = output.trim().split('\n').pop() ?? '';
  const missing = exitCode === 127 || /not found|no such file/i.test(said);
  return (
    `${UNHEALTHY}: ${service}'s healthcheck failed (exit ${exitCode}${said ? `: ${said}` : ''}), so compose would not ` +
    `start what depends on it. ` +
    (missing
      ? 'The check runs a command the image does not have: the official mongo image dropped the `mongo` shell in ' +
        "MongoDB 6, so use `mongosh` (compose/.env's FAVORITES_MONGO_HEALTHCHECK), or the stand-in's own check."
      : `Run the check by hand (docker exec <container> <its test>) and see docker inspect --format '{{json .State.Health}}' <container>.`)
  );
}

/**
 * The project's unhealthy containers, each with its last check's exit code and output.
 * @param {import('./scenarios/types').ComposeRunner} compose
 */
function unhealthyServices(compose) {
  return listServices(compose)
    .filter(({ Health }) => Health === 'unhealthy')
    .map(({ Name, Service }) => {
      const health = docker(['inspect', '--format', '{{json .State.Health}}', Name]);
      /** @type {{ Log?: { ExitCode: number, Output: string }[] }} */
      const state = health.ok ? JSON.parse(health.stdout) : {};
      const last = state.Log?.at(-1);
      return unhealthyHint({ service: Service, exitCode: last?.ExitCode ?? -1, output: last?.Output ?? '' });
    });
}

/**
 * Why `up` failed, as far as the engine's state tells: one paragraph a cause, none when it can't tell.
 * @param {import('./scenarios/types').ComposeRunner} compose the scenario's compose
 * @returns {string[]}
 */
function explainFailedUp(compose) {
  const config = JSON.parse(compose(['config', '--format', 'json'], {}, 'pipe'));
  return [
    ...overlappingNetworks(config).map(poolOverlapHint),
    ...failedOneShots(compose),
    ...unhealthyServices(compose),
  ];
}

module.exports = {
  STACK_HINT_CODES,
  POOL_OVERLAP,
  overlap,
  overlappingNetworks,
  poolOverlapHint,
  unhealthyHint,
  explainFailedUp,
};
