import { Router } from 'express';
import type { DatabaseStatus, ReadinessReport } from '../db/connection';

/** The body of GET /readyz: the report, plus the error code and message of a 503. */
export type ReadinessBody = ReadinessReport & { status: 'ready' | 'unavailable'; code?: 'DATABASE_UNAVAILABLE'; message?: string };

export function healthRouter(database: DatabaseStatus): Router {
  const router = Router();

  // Liveness: the process answers. Never touches the database, so a DB outage doesn't restart us.
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', uptimeSeconds: Math.round(process.uptime()) });
  });

  // Readiness: MongoDB answers a ping; otherwise the diagnosis says why not and what to change.
  router.get('/readyz', async (_req, res) => {
    const report = await database.readiness();
    if (report.ready) {
      res.json({ status: 'ready', ...report } satisfies ReadinessBody);
    } else {
      res.status(503).json({
        status: 'unavailable',
        code: 'DATABASE_UNAVAILABLE',
        message: `MongoDB is not reachable${report.database.hint ? `: ${report.database.hint}` : '.'}`,
        ...report,
      } satisfies ReadinessBody);
    }
  });

  return router;
}
