import { execFileSync } from 'node:child_process';
import { engineName } from '../../scripts/lib/engine';
import { pruneReplacedImages } from '../../scripts/lib/images';
import prepareDocker from '../support/global-setup';
import { COMPOSE_DIR, stackEnv } from '../support/compose';

/**
 * Readies Docker, then builds the API and SWAPI stub images from the current sources once, before
 * the suites bring up stacks that use them (compose only builds an image that is missing). An extra
 * engine of the matrix (FAVORITES_ENGINE) builds nothing: scripts/engines.js copied them to it.
 */
export default function globalSetup(): void {
  prepareDocker();
  if (engineName() !== 'docker') return;
  execFileSync('docker', ['compose', '-f', 'network.yml', 'build', 'favorites', 'swapi-stub'], {
    cwd: COMPOSE_DIR,
    env: { ...process.env, ...stackEnv() },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  pruneReplacedImages();
}
