import type { Express } from 'express';
import { wireApp } from '../../services/favorites/src/app';
import type { ConnectorOptions, MongoConnector } from '../../services/favorites/src/db/connection';
import type { FavoriteModel } from '../../services/favorites/src/favorites/model';
import { loadConfig } from '../../services/favorites/src/shared/config';
import { createLogger, type Logger } from '../../services/favorites/src/shared/logger';

export interface TestApi {
  app: Express;
  database: MongoConnector;
  /** The API's own model, to arrange and check the database state. */
  favorites: FavoriteModel;
  /** Every line the API logged, for assertions on diagnostics. */
  logs: string[];
  stop(): Promise<void>;
}

/** The API wired as server.ts wires it (wireApp), without listening: supertest drives `app` directly. */
export function createTestApi(env: Record<string, string>, options: Partial<ConnectorOptions> = {}): TestApi {
  const config = loadConfig({ LOG_LEVEL: 'info', SWAPI_BASE_URL: 'http://127.0.0.1:9/api', ...env });
  const logs: string[] = [];
  const log: Logger = createLogger(config.logLevel, (line) => logs.push(line));
  const { app, database, favorites } = wireApp(config, log, {
    connector: {
      inContainer: false,
      // A test that plays "in a container" plays one on a network of its own: the machine running
      // the tests has docker0, which would read as the host's network.
      network: 'bridge',
      initialRetryDelayMs: 50,
      maxRetryDelayMs: 200,
      ...options,
    },
  });
  database.start();
  return { app, database, favorites, logs, stop: () => database.stop() };
}
