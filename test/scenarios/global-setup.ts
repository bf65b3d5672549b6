import { execFileSync } from 'node:child_process';
import { pruneReplacedImages } from '../../scripts/lib/images';
import prepareDocker from '../support/global-setup';
import { COMPOSE_DIR, stackEnv } from '../support/compose';

/**
 * Readies Docker, then builds the API and SWAPI stub images from the current sources once, before
 * the suites bring up stacks that use them (compose only builds an image that is missing).
 */
export default function globalSetup(): void {
  prepareDocker();
  execFileSync('docker', ['compose', '-f', 'network.yml', 'build', 'favorites', 'swapi-stub'], {
    cwd: COMPOSE_DIR,
    env: { ...process.env, ...stackEnv() },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  pruneReplacedImages();
}
