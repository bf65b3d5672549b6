import { ensureChromium } from '../../scripts/lib/chromium';
import { engineName, ensureEngine } from '../../scripts/lib/engine';
import { ensureImages } from '../../scripts/lib/images';
import { dockerResources } from './docker';
import { createEngineLock } from './engine-lock';

declare global {
  // Set by the first project's global setup, read by the teardown (Jest runs both in one process).
  var dockerResourcesBeforeTests: string[] | undefined;
}

/**
 * Readies Docker for the suites that need it, once per run: an engine (installed only as root on
 * Debian), and the images compose/.env pins, or their offline stand-ins where no registry answers.
 * The chosen images go into the environment, which the test workers inherit; so does CHROMIUM_PATH,
 * the browser of the docs page test (Debian's chromium package, installed only as root on Debian),
 * and the engine lock the suites share (engine-lock.ts).
 */
export default function prepareDocker(): void {
  if (globalThis.dockerResourcesBeforeTests) return;
  const log = (line: string) => process.stdout.write(`[npm test] ${line}\n`);
  const { engine, compose } = ensureEngine(log);
  const { offline, env } = ensureImages(log);
  Object.assign(process.env, env);
  process.env.CHROMIUM_PATH = ensureChromium(log);
  log(
    `${engineName()} engine ${engine}, compose ${compose}; images ${env.FAVORITES_MONGO_IMAGE} and ${env.FAVORITES_NODE_IMAGE}${offline ? ' (offline stand-ins)' : ''}`,
  );
  globalThis.dockerResourcesBeforeTests = dockerResources();
  createEngineLock();
}
