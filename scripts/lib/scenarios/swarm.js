// @ts-check
// compose/swarm.yml: beyond one host, a stack for `docker stack deploy`. scripts/stack.js does not
// run it (a swarm changes the whole engine); the commands here are the ones its page and suite use.
'use strict';

const FILE = 'compose/swarm.yml';

/** @type {import('./types').Scenario & { file: string, deployArgs(stack: string): string[], removeArgs(stack: string): string[] }} */
module.exports = {
  name: 'swarm',
  title: 'Beyond one host: a swarm',
  reachedBy: 'mongodb, the service name across an overlay',
  runWith: `docker stack deploy --resolve-image never -c ${FILE} favorites   (first the steps on docs/scenarios/swarm.md)`,
  file: FILE,
  // --resolve-image never: no registry to ask for digests; the local images as they are.
  deployArgs: (stack) => ['stack', 'deploy', '--resolve-image', 'never', '--compose-file', FILE, stack],
  removeArgs: (stack) => ['stack', 'rm', stack],
  breaks: {},
};
