import { dockerResources } from './docker-resources';

/** Fails the run if the scenario suites left any container, network or volume behind. */
export default function checkNothingLeft(): void {
  const before = new Set(globalThis.dockerResourcesBeforeScenarios ?? []);
  const leftovers = dockerResources().filter((resource) => !before.has(resource));
  if (leftovers.length > 0) {
    throw new Error(`The scenario suites left these behind:\n${leftovers.join('\n')}`);
  }
}
