import { execFileSync } from 'node:child_process';
import { COMPOSE_DIR, stackEnv } from './support';

/**
 * Builds the API and SWAPI stub images from the current sources once, before the scenario
 * suites bring up stacks that use them (compose only builds an image that is missing).
 */
export default function buildImages(): void {
  try {
    execFileSync('docker', ['info'], { stdio: 'ignore' });
  } catch {
    throw new Error('No Docker engine answers: run scripts/docker-setup.sh (and scripts/offline-images.sh offline).');
  }
  execFileSync('docker', ['compose', '-f', 'network.yml', 'build', 'favorites', 'swapi-stub'], {
    cwd: COMPOSE_DIR,
    env: { ...process.env, ...stackEnv() },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
