import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { docker as runDocker } from '../../scripts/lib/engine';
import { COMPOSE_DIR, stackEnv } from '../support/compose';

// Every service of every compose file, MongoDB included, as `docker compose config` resolves it
// (extends, variables, the offline profile on): how its container would run. Each one drops every
// capability, gets no new privileges, has a read-only root file system, a memory and a process
// limit, and runs as a user that is not root; what departs from that has its reason below.
// Nothing is started: the scenario suites show that the containers work so.
const FILES = readdirSync(COMPOSE_DIR).filter((file) => file.endsWith('.yml'));

/** What a service may do beyond the rule, and why. */
const EXCEPTIONS: { file?: string; service: RegExp; capAdd?: string[]; root?: boolean; why: string }[] = [
  {
    service: /^credentials(-[ab])?$/,
    capAdd: ['CHOWN'],
    root: true,
    why: 'the credentials one-shot gives each password file to the user that reads it (chown): no network, two files',
  },
];
/** `docker stack deploy` has no security_opt: no-new-privileges is the engine's default there, if set. */
const NO_SECURITY_OPT = ['swarm.yml'];

interface Service {
  user?: string;
  build?: { context: string; dockerfile?: string };
  cap_add?: string[];
  cap_drop?: string[];
  security_opt?: string[];
  read_only?: boolean;
  mem_limit?: string | number;
  pids_limit?: number;
  deploy?: { resources?: { limits?: { memory?: string | number; pids?: number } } };
}

function resolved(file: string): Record<string, Service> {
  const result = runDocker(['compose', '-f', join(COMPOSE_DIR, file), 'config', '--format', 'json'], {
    env: { ...process.env, ...stackEnv() },
  });
  if (!result.ok) throw new Error(`docker compose -f compose/${file} config failed: ${result.stderr}`);
  return JSON.parse(result.stdout).services;
}

/** The user it runs as: compose's `user`, else the last USER of the Dockerfile it builds, else the image's (unknown here). */
function userOf(service: Service): string | undefined {
  if (service.user) return service.user;
  if (!service.build) return undefined;
  const dockerfile = readFileSync(resolve(service.build.context, service.build.dockerfile ?? 'Dockerfile'), 'utf8');
  return [...dockerfile.matchAll(/^USER\s+(\S+)/gm)].pop()?.[1];
}

const services = FILES.flatMap((file) =>
  Object.entries(resolved(file)).map(([name, service]) => ({ file, name, service })),
);
const exception = (file: string, name: string) =>
  EXCEPTIONS.find((rule) => rule.service.test(name) && (!rule.file || rule.file === file));

describe('every container of every compose file is locked down', () => {
  it('reads every compose file, the swarm stack included, and the MongoDB of each (host.yml has none: it is on the host)', () => {
    const withMongodb = new Set(services.filter(({ name }) => name.startsWith('mongodb')).map(({ file }) => file));

    expect(FILES).toContain('swarm.yml');
    expect(FILES.filter((file) => !withMongodb.has(file))).toEqual(['host.yml']);
  });

  it.each(services.map(({ file, name, service }) => [`${file} ${name}`, file, name, service] as const))(
    '%s: no capabilities, no new privileges, read-only, limited, not root',
    (_, file, name, service) => {
      const allowed = exception(file, name);
      const limits = service.deploy?.resources?.limits;

      expect({ capDrop: service.cap_drop, capAdd: service.cap_add ?? [] }).toEqual({
        capDrop: ['ALL'],
        capAdd: allowed?.capAdd ?? [],
      });
      if (!NO_SECURITY_OPT.includes(file)) expect(service.security_opt).toContain('no-new-privileges:true');
      expect(service.read_only).toBe(true);
      expect(service.mem_limit ?? limits?.memory).toBeTruthy();
      expect(service.pids_limit ?? limits?.pids).toBeGreaterThan(0);
      const user = userOf(service);
      expect(user).toBeDefined();
      expect(/^(0|root)(:|$)/.test(user ?? '')).toBe(allowed?.root ?? false);
    },
  );
});
