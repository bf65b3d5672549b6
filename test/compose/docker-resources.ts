import { docker } from './support';

const list = (...args: string[]) => docker(...args).split('\n').filter(Boolean);

/** Every container, network and volume the engine has now, one line each. */
export function dockerResources(): string[] {
  return [
    ...list('ps', '-a', '--format', 'container {{.Names}} ({{.Image}})'),
    ...list('network', 'ls', '--format', 'network {{.Name}}'),
    ...list('volume', 'ls', '--format', 'volume {{.Name}}'),
  ];
}
