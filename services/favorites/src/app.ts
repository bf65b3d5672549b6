import express, { type Express } from 'express';
import type { DatabaseStatus } from './db/connection';
import type { FavoriteModel } from './favorites/model';
import { favoritesRouter } from './favorites/routes';
import { healthRouter } from './health/routes';
import { errorHandler, notFoundHandler, requireDatabase } from './shared/error-handler';
import type { Logger } from './shared/logger';
import type { SwapiClient } from './swapi/client';
import { swapiRouter } from './swapi/routes';

export interface AppDependencies {
  database: DatabaseStatus;
  favorites: FavoriteModel;
  swapi: SwapiClient;
  log: Logger;
}

/** Builds the Express app. It never listens: server.ts does, and tests hand it to supertest. */
export function createApp({ database, favorites, swapi, log }: AppDependencies): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '10kb' }));

  app.use(healthRouter(database));
  app.use('/favorites', requireDatabase(database), favoritesRouter(favorites));
  app.use(swapiRouter(swapi));

  app.use(notFoundHandler);
  app.use(errorHandler(log, database));
  return app;
}
