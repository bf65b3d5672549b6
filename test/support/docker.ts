import { docker as runDocker } from '../../scripts/lib/engine';
import { pins } from '../../scripts/lib/images';

/** Runs the docker CLI and returns its trimmed output; throws with docker's own message on failure. */
export function docker(...args: string[]): string {
  const result = runDocker(args);
  if (!result.ok) throw new Error(`docker ${args.join(' ')} failed: ${result.stderr || result.error?.message}`);
  return result.stdout;
}

/** `docker inspect` of one container, parsed: its Config, HostConfig, State, NetworkSettings... */
export const inspect = (container: string) => JSON.parse(docker('inspect', container))[0];

/**
 * The images the tests run. The global setup (test/support/global-setup.ts) puts the set it chose,
 * official or offline stand-ins, in the environment; pins() reads it back, or compose/.env without it.
 */
export const images = {
  api: process.env.FAVORITES_API_IMAGE ?? 'swfavorites/favorites:local',
  get mongo(): string {
    return required('FAVORITES_MONGO_IMAGE');
  },
  get mongoHealthcheck(): string {
    return required('FAVORITES_MONGO_HEALTHCHECK');
  },
};

function required(name: string): string {
  const value = pins()[name];
  if (!value) throw new Error(`${name} is not set: compose/.env pins it`);
  return value;
}

const list = (...args: string[]) =>
  docker(...args)
    .split('\n')
    .filter(Boolean);

/** Every container, network and volume the engine has now, one line each. */
export function dockerResources(): string[] {
  return [
    ...list('ps', '-a', '--format', 'container {{.Names}} ({{.Image}})'),
    ...list('network', 'ls', '--format', 'network {{.Name}}'),
    ...list('volume', 'ls', '--format', 'volume {{.Name}}'),
  ];
}
