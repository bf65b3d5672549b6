import { docker } from './docker';
import { eventually } from './eventually';

/** The swarm a suite deploys to, and how to put the engine back as it was. */
export interface Swarm {
  nodeId: string;
  /** True when the suite made the swarm (and leaves it); false when the engine was a manager already. */
  createdHere: boolean;
  leave(): Promise<void>;
}

const networkNames = () => docker('network', 'ls', '--format', '{{.Name}}').split('\n').filter(Boolean);

/**
 * A single-node swarm: the engine's own if it is a manager already (then left alone), otherwise a
 * new one, on loopback: its control port (2377) listens on 127.0.0.1 and the node announces that
 * address, so nothing outside this machine can join. Leaving puts the engine's networks back as
 * they were.
 */
export function singleNodeSwarm(): Swarm {
  const [state, manager] = docker('info', '--format', '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}').split(
    ' ',
  );
  const nodeId = () => docker('info', '--format', '{{.Swarm.NodeID}}');
  if (state === 'active') {
    if (manager !== 'true') throw new Error('this engine is a swarm worker: stack deploy needs a manager');
    return { nodeId: nodeId(), createdHere: false, leave: async () => undefined };
  }
  if (state !== 'inactive') throw new Error(`this engine's swarm state is "${state}": leave or finish joining first`);
  const networksBefore = networkNames();
  docker('swarm', 'init', '--advertise-addr', '127.0.0.1', '--listen-addr', '127.0.0.1:2377');
  return {
    nodeId: nodeId(),
    createdHere: true,
    async leave() {
      docker('swarm', 'leave', '--force');
      // `ingress` goes with the swarm; docker_gwbridge, made for the first task, outlives it.
      const leftover = () =>
        networkNames().filter(
          (name) => !networksBefore.includes(name) && ['ingress', 'docker_gwbridge'].includes(name),
        );
      await eventually(
        () => {
          if (leftover().includes('docker_gwbridge')) docker('network', 'rm', 'docker_gwbridge');
          return leftover().length === 0;
        },
        10_000,
        { intervalMs: 250, lastSeen: () => leftover().join(', ') },
      );
    },
  };
}

/** The containers of a swarm service's running tasks (their full IDs). */
export const serviceContainers = (service: string): string[] =>
  docker('ps', '-q', '--no-trunc', '-f', `label=com.docker.swarm.service.name=${service}`).split('\n').filter(Boolean);

/** `docker service inspect` of one service, parsed. */
export const inspectService = (service: string) => JSON.parse(docker('service', 'inspect', service))[0];
