import { execFileSync } from 'node:child_process';

const list = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8' }).split('\n').filter(Boolean);

/** Every container, network and volume the engine has now, one line each. */
export function dockerResources(): string[] {
  return [
    ...list('ps', '-a', '--format', 'container {{.Names}} ({{.Image}})'),
    ...list('network', 'ls', '--format', 'network {{.Name}}'),
    ...list('volume', 'ls', '--format', 'volume {{.Name}}'),
  ];
}
