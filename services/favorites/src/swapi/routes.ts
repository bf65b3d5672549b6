import { Router } from 'express';
import { AppError } from '../shared/errors';
import type { SwapiClient } from './client';

export function swapiRouter(swapi: SwapiClient): Router {
  const router = Router();

  router.get('/movies', async (_req, res) => {
    res.json({ movies: await swapi.films() });
  });

  router.get('/people', async (req, res) => {
    res.json({ people: await swapi.people(parsePage(req.query.page)) });
  });

  return router;
}

function parsePage(raw: unknown): number | undefined {
  if (raw === undefined) return undefined;
  const page = typeof raw === 'string' && /^\d{1,4}$/.test(raw) ? Number(raw) : NaN;
  if (!(page >= 1)) {
    throw new AppError(400, 'INVALID_PAGE', 'page must be a whole number from 1 to 9999.');
  }
  return page;
}
