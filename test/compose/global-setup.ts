import { execFileSync } from 'node:child_process';
import { dockerResources } from './docker-resources';
import { COMPOSE_DIR, stackEnv } from './support';

declare global {
  // Read back by global-teardown.ts (Jest runs both in the same process).
  var dockerResourcesBeforeScenarios: string[] | undefined;
}

/**
 * Builds the API and SWAPI stub images from the current sources once, before the scenario
 * suites bring up stacks that use them (compose only builds an image that is missing), and notes
 * what Docker already has so the teardown can tell what the suites left behind.
 */
export default function globalSetup(): void {
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore' });
  } catch {
    throw new Error('No Docker engine answers: run scripts/docker-setup.sh (and scripts/offline-images.sh offline).');
  }
  globalThis.dockerResourcesBeforeScenarios = dockerResources();
  execFileSync('docker', ['compose', '-f', 'network.yml', 'build', 'favorites', 'swapi-stub'], {
    cwd: COMPOSE_DIR,
    env: { ...process.env, ...stackEnv() },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
