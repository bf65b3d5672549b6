import { dockerResources } from './docker';
import { removeEngineLock } from './engine-lock';

let checked = false;

/** Fails the run if the suites left any container, network or volume behind. Every project's teardown runs after all tests, so once is enough. */
export default function checkNothingLeft(): void {
  if (checked || !globalThis.dockerResourcesBeforeTests) return;
  checked = true;
  removeEngineLock();
  const before = new Set(globalThis.dockerResourcesBeforeTests);
  const leftovers = dockerResources().filter((resource) => !before.has(resource));
  if (leftovers.length > 0) {
    throw new Error(`The tests left these behind:\n${leftovers.join('\n')}`);
  }
}
