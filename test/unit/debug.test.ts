import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import { databaseOf, debugTarget } from '../../scripts/lib/debug';
import { SCENARIOS } from '../../scripts/lib/scenarios';

// `stack.js debug <scenario>` on every scenario, with no Docker: it finds the service to look from,
// and that service's compose environment gives the database host and port the checks try, a name
// something in the same file answers to (or an address). test/scenarios/debug.test.ts runs it for real.
const ROOT = resolve(__dirname, '../..');

interface ComposeService {
  extends?: { file?: string; service: string } | string;
  environment?: Record<string, string | number | null> | string[];
  networks?: string[] | Record<string, { aliases?: string[] } | null>;
  extra_hosts?: string[];
}

// Compose's own tags (!override, !reset) are left as plain values: the fields read here carry none.
const servicesIn = (file: string): Record<string, ComposeService> =>
  (parse(readFileSync(file, 'utf8'), { logLevel: 'error' }) as { services: Record<string, ComposeService> }).services;

/** ${NAME:-default} and ${NAME}, from the scenario's own variables, else the default, as compose reads them. */
const interpolate = (text: string, variables: Record<string, string>) =>
  text.replace(
    /\$\{(\w+)(?::?-([^}]*))?\}/g,
    (_, name: string, fallback?: string) => variables[name] ?? fallback ?? '',
  );

/** A service's environment, with what it extends underneath. */
function environmentOf(file: string, name: string): Record<string, string> {
  const service = servicesIn(file)[name];
  if (!service) throw new Error(`${file} has no service ${name}`);
  const from = typeof service.extends === 'string' ? { service: service.extends } : service.extends;
  const base = from ? environmentOf(from.file ? resolve(dirname(file), from.file) : file, from.service) : {};
  const own = Array.isArray(service.environment)
    ? Object.fromEntries(service.environment.map((entry) => entry.split(/=(.*)/s, 2)))
    : Object.fromEntries(Object.entries(service.environment ?? {}).map(([key, value]) => [key, String(value ?? '')]));
  return { ...base, ...own };
}

/** Every name a container of this file answers to: service names, network aliases, extra_hosts. */
function namesIn(file: string): Set<string> {
  return new Set(
    Object.entries(servicesIn(file)).flatMap(([name, service]) => [
      name,
      ...Object.values(Array.isArray(service.networks) ? {} : (service.networks ?? {})).flatMap(
        (network) => network?.aliases ?? [],
      ),
      ...(service.extra_hosts ?? []).map((entry) => entry.split(':')[0]),
    ]),
  );
}

describe.each(Object.keys(SCENARIOS))('stack.js debug %s', (scenario) => {
  const file = resolve(ROOT, `compose/${scenario}.yml`);
  const target = debugTarget(scenario, undefined);

  it('looks from a service of its compose file, found by its labels', () => {
    expect(Object.keys(servicesIn(file))).toContain(target.service);
    expect(target.filters.join(' ')).toContain(target.service);
  });

  it('checks the database host and port that service is configured with, a name the file answers to or an address', () => {
    const variables = Object.fromEntries(
      Object.entries(environmentOf(file, target.service)).map(([key, value]) => [
        key,
        interpolate(value, SCENARIOS[scenario].env ?? {}),
      ]),
    );
    const database = databaseOf(variables);

    expect(database).toBeDefined();
    expect(database!.port).toBeGreaterThan(0);
    expect(isIP(database!.host) !== 0 || namesIn(file).has(database!.host)).toBe(true);
  });
});

describe('debugTarget', () => {
  it("finds a compose service's own containers by their labels (not a `docker run` of an image compose built), swarm tasks by their stack", () => {
    expect(debugTarget('network', undefined, 'p').filters).toEqual([
      '--filter=label=com.docker.compose.project=p',
      '--filter=label=com.docker.compose.service=favorites',
      '--filter=label=com.docker.compose.container-number',
      '--filter=label=com.docker.compose.oneoff=False',
    ]);
    expect(debugTarget('aliases', 'favorites-b', 'p').service).toBe('favorites-b');
    expect(debugTarget('ip', undefined).filters).toContain('--filter=label=com.docker.compose.project=favorites-ip');
    expect(debugTarget('swarm', undefined).filters).toContain(
      '--filter=label=com.docker.swarm.service.name=favorites_favorites',
    );
    expect(debugTarget('swarm', undefined, 'mystack').filters).toContain(
      '--filter=label=com.docker.swarm.service.name=mystack_favorites',
    );
  });

  it('refuses a scenario that does not exist, naming those that do', () => {
    expect(() => debugTarget('nope', undefined, 'p')).toThrow(/no scenario nope: one of network, host/);
  });
});

describe('databaseOf', () => {
  it('reads MONGODB_URL first, as the API does: its first host, an IPv6 address, a mongodb+srv name', () => {
    expect(
      databaseOf({ MONGODB_URL: 'mongodb://u:p@mongo1:27018,mongo2/db?replicaSet=rs0', MONGODB_HOST: 'x' }),
    ).toEqual({
      host: 'mongo1',
      port: 27018,
    });
    expect(databaseOf({ MONGODB_URL: 'mongodb://[::1]:27017/db' })).toEqual({ host: '::1', port: 27017 });
    expect(databaseOf({ MONGODB_URL: 'mongodb+srv://cluster0.example.net/db' })).toEqual({
      host: 'cluster0.example.net',
      port: 27017,
    });
  });

  it("takes MONGODB_HOST and MONGODB_PORT, 27017 by default and for a --link's tcp:// value; nothing for a container that sets neither", () => {
    expect(databaseOf({ MONGODB_HOST: 'mongodb' })).toEqual({ host: 'mongodb', port: 27017 });
    expect(databaseOf({ MONGODB_HOST: 'db', MONGODB_PORT: '27018' })).toEqual({ host: 'db', port: 27018 });
    expect(databaseOf({ MONGODB_HOST: 'mongodb', MONGODB_PORT: 'tcp://172.17.0.2:27017' })).toEqual({
      host: 'mongodb',
      port: 27017,
    });
    expect(databaseOf({ PATH: '/usr/bin' })).toBeUndefined();
  });
});
