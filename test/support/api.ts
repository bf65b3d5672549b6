import type { Express } from 'express';
import mongoose from 'mongoose';
import { createApp } from '../../services/favorites/src/app';
import { MongoConnector, type ConnectorOptions } from '../../services/favorites/src/db/connection';
import { favoriteModel, type FavoriteModel } from '../../services/favorites/src/favorites/model';
import { loadConfig } from '../../services/favorites/src/shared/config';
import { createLogger, type Logger } from '../../services/favorites/src/shared/logger';
import { createSwapiClient } from '../../services/favorites/src/swapi/client';

export interface TestApi {
  app: Express;
  database: MongoConnector;
  /** The API's own model, to arrange and check the database state. */
  favorites: FavoriteModel;
  /** Every line the API logged, for assertions on diagnostics. */
  logs: string[];
  stop(): Promise<void>;
}

/** The API wired as server.ts wires it, without listening: supertest drives `app` directly. */
export function createTestApi(env: Record<string, string>, options: Partial<ConnectorOptions> = {}): TestApi {
  const config = loadConfig({ LOG_LEVEL: 'info', SWAPI_BASE_URL: 'http://127.0.0.1:9/api', ...env });
  const logs: string[] = [];
  const log: Logger = createLogger(config.logLevel, (line) => logs.push(line));
  const favorites = favoriteModel(mongoose.createConnection());
  const database = new MongoConnector(favorites.db, config.mongo, log, {
    onConnected: () => favorites.createIndexes(),
    inContainer: false,
    // A test that plays "in a container" plays one on a network of its own: the machine running
    // the tests has docker0, which would read as the host's network.
    network: 'bridge',
    initialRetryDelayMs: 50,
    maxRetryDelayMs: 200,
    ...options,
  });
  const app = createApp({
    database,
    favorites,
    swapi: createSwapiClient(config.swapi),
    log,
    publicDiagnosis: config.publicDiagnosis,
    queryTimeoutMs: config.mongo.queryTimeoutMs,
  });
  database.start();
  return { app, database, favorites, logs, stop: () => database.stop() };
}
