import { execFileSync } from 'node:child_process';
import { PREFIX } from './support';

/** Fails the run if any scenario suite left a container, network or volume behind. */
export default function checkNothingLeft(): void {
  const list = (args: string[]) =>
    execFileSync('docker', args, { encoding: 'utf8' })
      .split('\n')
      .filter((name) => name.includes(PREFIX));
  const leftovers = [
    ...list(['ps', '-a', '--format', '{{.Names}}']).map((n) => `container ${n}`),
    ...list(['network', 'ls', '--format', '{{.Name}}']).map((n) => `network ${n}`),
    ...list(['volume', 'ls', '--format', '{{.Name}}']).map((n) => `volume ${n}`),
    ...execFileSync('docker', ['ps', '-a', '--filter', 'label=org.testcontainers=true', '--format', '{{.Names}}'], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map((n) => `testcontainers container ${n}`),
  ];
  if (leftovers.length > 0) {
    throw new Error(`The scenario suites left these behind:\n${leftovers.join('\n')}`);
  }
}
