import { Router } from 'express';
import type { DatabaseStatus } from '../db/connection';
import type { Lifecycle } from '../http/lifecycle';
import { DRAINING_BODY, privateReadinessBody, readinessBody } from './readiness';

export function healthRouter(database: DatabaseStatus, lifecycle: Lifecycle, publicDiagnosis: boolean): Router {
  const router = Router();

  // Liveness: the process answers. Never touches the database, so a DB outage doesn't restart us.
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', uptimeSeconds: Math.round(process.uptime()) });
  });

  // Readiness: MongoDB answers a ping; otherwise the diagnosis says why not and what to change.
  // While shutting down it says so first, so that load balancers stop sending before we stop listening.
  router.get('/readyz', async (_req, res) => {
    if (lifecycle.draining) {
      res.status(503).json(DRAINING_BODY);
      return;
    }
    const { reachable, status } = await database.check();
    res
      .status(reachable ? 200 : 503)
      .json(publicDiagnosis ? readinessBody(reachable, status) : privateReadinessBody(reachable));
  });

  return router;
}
