import dotenv from 'dotenv';
import { createServer, type Server } from 'node:http';
import { wireApp } from './app';
import { Lifecycle } from './http/lifecycle';
import { ConfigError, loadConfig, type Config } from './shared/config';
import { createLogger } from './shared/logger';

// Compose waits 10 s before SIGKILL; finish well before that.
const SHUTDOWN_DEADLINE_MS = 8000;
const PROXY_FLUSH_MS = 500;
// After the drain, how long to wait for the last keep-alive clients to send a request (and be
// told to close); a client idle for that long is not about to send one.
const UNTOLD_CONNECTIONS_WAIT_MS = 3000;

function readConfig(): Config {
  // A local .env (see .env.example) fills in what the environment does not set.
  dotenv.config({ quiet: true });
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`Invalid configuration: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

function main(): void {
  const config = readConfig();
  const log = createLogger(config.logLevel);
  const lifecycle = new Lifecycle();
  const { app, database } = wireApp(config, log, { lifecycle });

  // Listen first, connect second: the API can explain a missing database instead of not starting.
  // Slow clients must not starve the server: a client gets headersTimeoutMs to send its headers
  // and three times that for its whole request, checked every second; an idle keep-alive
  // connection is closed after 5 s.
  const server = createServer(
    {
      headersTimeout: config.headersTimeoutMs,
      requestTimeout: config.headersTimeoutMs * 3,
      keepAliveTimeout: 5000,
      connectionsCheckingInterval: 1000,
    },
    app,
  );
  lifecycle.watch(server);
  server.listen(config.port, () => {
    log.info(`favorites API listening on port ${config.port}`, {
      mongodb: config.mongo.safeUrl,
      swapi: config.swapi.safeUrls.join(', '),
      // Whether writes need the token (FAVORITES_API_TOKEN), never the token itself.
      writes: config.apiToken === undefined ? 'open' : 'token required',
    });
  });
  database.start();

  // Drain, then close: /readyz turns 503 and every response asks its client to close the
  // connection; after the drain period the listener closes, in-flight requests finish, and we exit.
  const shutdown = (signal: string) => {
    if (lifecycle.draining) return;
    lifecycle.startDraining();
    log.info(`${signal} received: draining for ${config.shutdownDrainMs} ms, then finishing in-flight requests`);
    setTimeout(() => {
      log.error('shutdown took too long; exiting anyway');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    delay(config.shutdownDrainMs)
      // Every keep-alive client must have had its `Connection: close` before the listener closes,
      // or one that is sending its next request on an idle connection right then is reset.
      .then(() => waitFor(() => lifecycle.connectionsToTell() === 0, UNTOLD_CONNECTIONS_WAIT_MS))
      .then(() => closeServer(server))
      // A proxy in front of us (Docker's userland proxy for published ports among them) still has
      // to relay the last responses; exiting at once kills it mid-way and the client sees a reset.
      .then(() => delay(PROXY_FLUSH_MS))
      .then(() => database.stop())
      .then(() => {
        log.info('shut down cleanly');
        process.exit(0);
      })
      .catch((error: unknown) => {
        log.error('error during shutdown', { error: String(error) });
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  // An error nobody handled leaves the process in an unknown state: log it and let the restart policy act.
  process.on('unhandledRejection', (reason) => {
    log.error('unhandled promise rejection', { reason: reason instanceof Error ? reason.stack : String(reason) });
    process.exit(1);
  });
  process.on('uncaughtException', (error) => {
    log.error('uncaught exception', { stack: error.stack });
    process.exit(1);
  });
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once `done()` is true, checked every 50 ms, or after `ms` whatever it says. */
async function waitFor(done: () => boolean, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!done() && Date.now() < until) await delay(50);
}

/** Stops accepting connections (and drops idle keep-alive ones); resolves when in-flight requests are done. */
function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
}

main();
