import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

// Every port that a compose or stack file publishes, read statically: the host address it binds
// by default, once `${VAR:-default}` is filled as Compose fills it with nothing set. Docker's port
// rules go before the host's firewall, so a port on every address is open to the whole network:
// each must default to loopback, from a variable that widens it where a lesson needs that.
// The one exception is Swarm, whose published ports have no address at all (see SWARM_FILES).
const COMPOSE_DIR = resolve(__dirname, '../../compose');
const composeFiles = [
  ...readdirSync(COMPOSE_DIR).filter((file) => file.endsWith('.yml')),
  ...readdirSync(join(COMPOSE_DIR, 'parts'))
    .filter((file) => file.endsWith('.yml'))
    .map((file) => `parts/${file}`),
].sort();

/**
 * Stack files: `docker stack deploy` refuses `host_ip` ("Additional property host_ip is not
 * allowed") and drops the address of a short `127.0.0.1:3000:80` ("service will listen on
 * '0.0.0.0'"), in ingress and host mode alike (test/scenarios/swarm.test.ts shows both). What keeps
 * such a stack safe is the API's token on writes, which these files must turn on.
 */
const SWARM_FILES = ['swarm.yml'];

interface PublishedPort {
  file: string;
  service: string;
  /** As written in the file. */
  written: string;
  /** The host address it binds with no variable set; '' is every address. */
  hostIp: string;
  /** The variable that sets the address, if one does. */
  variable?: string;
}

/** `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`, `$$`: filled as with an empty environment. */
function interpolateDefaults(text: string): string {
  return text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g,
    (match, _name: string, operator?: string, operand?: string) => {
      if (match === '$$') return '$';
      if (operator?.endsWith('-')) return operand ?? '';
      // A required variable (`:?`) is set on every run; its value is never an address here.
      if (operator?.endsWith('?')) return 'required';
      return '';
    },
  );
}

const ADDRESS_VARIABLE = /^\$\{([A-Za-z_][A-Za-z0-9_]*):-[^}]*\}$/;

/** A short-syntax entry's host address (`[ip:][host:]container[/proto]`), '' when it has none. */
function shortSyntaxHostIp(resolved: string): string {
  const bracketed = /^\[([^\]]+)\]:/.exec(resolved);
  if (bracketed) return bracketed[1];
  const parts = resolved.split('/')[0].split(':');
  return parts.length === 3 ? parts[0] : '';
}

type Service = { ports?: (string | number | Record<string, unknown>)[] };

function publishedPorts(file: string): PublishedPort[] {
  // Compose's own tags (!override, !reset) keep their value as written: what this reads needs no more.
  const document = parse(readFileSync(join(COMPOSE_DIR, file), 'utf8'), { merge: true, logLevel: 'error' }) as {
    services?: Record<string, Service>;
  };
  return Object.entries(document.services ?? {}).flatMap(([service, { ports = [] }]) =>
    ports.map((entry): PublishedPort => {
      if (typeof entry === 'object') {
        const written = typeof entry.host_ip === 'string' ? entry.host_ip : '';
        return {
          file,
          service,
          written: JSON.stringify(entry),
          hostIp: interpolateDefaults(written),
          variable: ADDRESS_VARIABLE.exec(written)?.[1],
        };
      }
      const written = String(entry);
      const hostIp = shortSyntaxHostIp(interpolateDefaults(written));
      // The address part as written: everything before the second-to-last top-level colon.
      const variable = hostIp === '' ? undefined : /^\$\{([A-Za-z_][A-Za-z0-9_]*):-[^}]*\}:/.exec(written)?.[1];
      return { file, service, written, hostIp, variable };
    }),
  );
}

const isLoopback = (address: string) => /^127\.\d+\.\d+\.\d+$/.test(address) || address === '::1';
const everyPort = composeFiles.flatMap(publishedPorts);

describe('interpolateDefaults', () => {
  it('fills defaults, empties unset variables, and keeps $$ as $', () => {
    expect(interpolateDefaults('${A:-127.0.0.1}:${B-3000}:${C}:$$')).toBe('127.0.0.1:3000::$');
  });
});

describe('published ports in compose/*.yml and compose/parts/*.yml', () => {
  it('finds the ports of every file (the API of each scenario publishes one)', () => {
    expect(everyPort.filter((port) => port.file === 'network.yml').map((port) => port.service)).toEqual(['favorites']);
    expect(new Set(everyPort.map((port) => port.file)).size).toBeGreaterThan(10);
  });

  it('none binds every host address by default: each is on loopback unless a variable widens it', () => {
    const open = everyPort.filter((port) => !SWARM_FILES.includes(port.file) && !isLoopback(port.hostIp));

    expect(open.map(({ file, service, written }) => `${file} ${service}: ${written}`)).toEqual([]);
  });

  it('each takes its address from a variable (FAVORITES_BIND_ADDRESS for the API), so a lesson can widen it', () => {
    const fixed = everyPort.filter((port) => !SWARM_FILES.includes(port.file) && port.variable === undefined);

    expect(fixed.map(({ file, service, written }) => `${file} ${service}: ${written}`)).toEqual([]);
    const apiVariables = new Set(
      everyPort.filter((port) => port.service.startsWith('favorites')).map((port) => port.variable),
    );
    expect([...apiVariables]).toEqual(['FAVORITES_BIND_ADDRESS']);
  });

  it('a stack file publishes with no address (Swarm binds none): only the balancer, in host mode', () => {
    const stackPorts = everyPort.filter((port) => SWARM_FILES.includes(port.file));

    expect(stackPorts.map(({ file, service, hostIp }) => [file, service, hostIp])).toEqual([
      ['swarm.yml', 'balancer', ''],
    ]);
    expect(JSON.parse(stackPorts[0].written)).toMatchObject({ target: 8080, mode: 'host' });
  });

  it("so a stack file's API needs its token on writes, from a secret, and keeps the diagnosis private", () => {
    for (const file of SWARM_FILES) {
      const { services, secrets } = parse(readFileSync(join(COMPOSE_DIR, file), 'utf8'), { merge: true }) as {
        services: Record<string, { environment: Record<string, string>; secrets: string[] }>;
        secrets: Record<string, { external: boolean; name: string }>;
      };
      const api = services.favorites;

      expect(api.environment).toMatchObject({
        FAVORITES_API_TOKEN_FILE: '/run/secrets/api-token',
        PUBLIC_DIAGNOSIS: 'false',
      });
      expect(api.secrets).toContain('api-token');
      expect(secrets['api-token']).toEqual({ external: true, name: '${FAVORITES_SECRETS:-favorites}-api-token' });
    }
  });
});
