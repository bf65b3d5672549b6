import express, { type Express } from 'express';
import type { DatabaseStatus } from './db/connection';
import { databaseErrors, requireDatabase } from './db/http-errors';
import { docsRouter } from './docs/routes';
import type { FavoriteModel } from './favorites/model';
import { favoritesRouter } from './favorites/routes';
import { healthRouter } from './health/routes';
import { errorHandler, notFoundHandler } from './http/error-handler';
import { Lifecycle } from './http/lifecycle';
import { requestId } from './http/request-id';
import { securityHeaders } from './http/security-headers';
import { servedBy } from './http/served-by';
import type { Logger } from './shared/logger';
import type { SwapiClient } from './swapi/client';
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
}

/** Builds the Express app. It never listens: server.ts does, and tests hand it to supertest. */
export function createApp({ database, favorites, swapi, log, lifecycle = new Lifecycle(), publicDiagnosis = true, queryTimeoutMs }: AppDependencies): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(securityHeaders);
  app.use(requestId);
  app.use(servedBy());
  app.use(lifecycle.closeConnectionsWhileDraining);

  app.use(healthRouter(database, lifecycle, publicDiagnosis));
  app.use('/favorites', favoritesRouter(favorites, requireDatabase(database, publicDiagnosis), queryTimeoutMs));
  app.use(swapiRouter(swapi));
  app.use(docsRouter());

  app.use(notFoundHandler);
  app.use(errorHandler(log, [databaseErrors(database, publicDiagnosis)]));
  return app;
}
