import express, { type Express } from 'express';
import mongoose from 'mongoose';
import { MongoConnector, type ConnectorOptions, type DatabaseStatus } from './db/connection';
import { databaseErrors, requireDatabase } from './db/http-errors';
import { docsRouter } from './docs/routes';
import { favoriteModel, type FavoriteModel } from './favorites/model';
import { favoritesRouter } from './favorites/routes';
import { healthRouter } from './health/routes';
import { allowedHosts } from './http/allowed-hosts';
import { errorHandler, notFoundHandler } from './http/error-handler';
import { Lifecycle } from './http/lifecycle';
import { requestId } from './http/request-id';
import { securityHeaders } from './http/security-headers';
import { servedBy } from './http/served-by';
import { requireWriteToken } from './http/write-token';
import type { AllowedHosts, Config } from './shared/config';
import type { Logger } from './shared/logger';
import { createSwapiClient, type SwapiClient } from './swapi/client';
import { swapiRouter } from './swapi/routes';

export interface AppDependencies {
  database: DatabaseStatus;
  favorites: FavoriteModel;
  swapi: SwapiClient;
  log: Logger;
  /** Shutdown state; tests that never shut down can leave it out. */
  lifecycle?: Lifecycle;
  /** Show the database diagnosis to callers (PUBLIC_DIAGNOSIS); the default, for a teaching stack. */
  publicDiagnosis?: boolean;
  /** How long MongoDB may work on one read (MONGODB_QUERY_TIMEOUT_MS). */
  queryTimeoutMs: number;
  /** The token writes need (FAVORITES_API_TOKEN); left out, writes are open. */
  apiToken?: string;
  /** Host headers accepted beside the defaults (ALLOWED_HOSTS); left out, the defaults only. */
  hosts?: AllowedHosts;
}

const DEFAULT_HOSTS: AllowedHosts = { any: false, names: [], domains: [] };

/** Builds the Express app. It never listens: server.ts does, and tests hand it to supertest. */
export function createApp({
  database,
  favorites,
  swapi,
  log,
  lifecycle = new Lifecycle(),
  publicDiagnosis = true,
  queryTimeoutMs,
  apiToken,
  hosts = DEFAULT_HOSTS,
}: AppDependencies): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(securityHeaders);
  app.use(requestId);
  app.use(allowedHosts(hosts));
  app.use(servedBy());
  app.use(lifecycle.closeConnectionsWhileDraining);

  app.use(healthRouter(database, lifecycle, publicDiagnosis));
  app.use(
    '/favorites',
    favoritesRouter(favorites, {
      whenDatabaseReady: requireDatabase(database, publicDiagnosis),
      writeAllowed: requireWriteToken(apiToken),
      queryTimeoutMs,
    }),
  );
  app.use(swapiRouter(swapi));
  app.use(docsRouter());

  app.use(notFoundHandler);
  app.use(errorHandler(log, [databaseErrors(database, publicDiagnosis)]));
  return app;
}

/** The app and what it runs on, as wireApp builds them. */
export interface WiredApp {
  app: Express;
  /** Not connecting yet: the caller starts it (server.ts does once it listens). */
  database: MongoConnector;
  /** The app's own model, on the app's own connection. */
  favorites: FavoriteModel;
}

export interface WiringOptions {
  /** Shutdown state, which server.ts drives; left out, the app never drains. */
  lifecycle?: Lifecycle;
  /** The connector's settings where they differ from its defaults (the tests retry sooner, for one). */
  connector?: ConnectorOptions;
}

/**
 * The API wired from its configuration: a MongoDB connection of its own with the favorites model
 * on it, the connector that opens it, SWAPI's client, and the app over them. server.ts and the
 * tests (test/support/api.ts) both wire it here, so the tests run the app the server runs.
 */
export function wireApp(config: Config, log: Logger, { lifecycle, connector }: WiringOptions = {}): WiredApp {
  const favorites = favoriteModel(mongoose.createConnection());
  const database = new MongoConnector(favorites.db, config.mongo, log, {
    // Indexes first: the unique index is what refuses duplicates.
    onConnected: () => favorites.createIndexes(),
    ...connector,
  });
  const app = createApp({
    database,
    favorites,
    swapi: createSwapiClient(config.swapi),
    log,
    lifecycle,
    publicDiagnosis: config.publicDiagnosis,
    queryTimeoutMs: config.mongo.queryTimeoutMs,
    apiToken: config.apiToken,
    hosts: config.allowedHosts,
  });
  return { app, database, favorites };
}
