import { Router, type Response } from 'express';
import { AppError } from '../shared/errors';
import type { SwapiClient, SwapiResult } from './client';

/** Says where the page came from: `hit`, `miss`, or `stale` (SWAPI failed; this is the last copy we have). */
export const CACHE_HEADER = 'X-Swapi-Cache';

export function swapiRouter(swapi: SwapiClient): Router {
  const router = Router();

  router.get('/movies', async (_req, res) => {
    send(res, 'movies', await swapi.films());
  });

  router.get('/people', async (req, res) => {
    send(res, 'people', await swapi.people(parsePage(req.query.page)));
  });

  return router;
}

function send(res: Response, field: string, result: SwapiResult): void {
  res.set(CACHE_HEADER, result.cache).json({ [field]: result.page });
}

function parsePage(raw: unknown): number | undefined {
  if (raw === undefined) return undefined;
  const page = typeof raw === 'string' && /^\d{1,4}$/.test(raw) ? Number(raw) : NaN;
  if (!(page >= 1)) {
    throw new AppError(400, 'INVALID_PAGE', 'page must be a whole number from 1 to 9999.');
  }
  return page;
}
