import { Router, type Request, type Response } from 'express';
import { AppError } from '../shared/errors';
import type { SwapiClient, SwapiPage, SwapiResult } from './client';

/** Says where the page came from: `hit`, `miss`, or `stale` (SWAPI failed; this is the last copy we have). */
export const CACHE_HEADER = 'X-Swapi-Cache';

/** A page as it goes out: its JSON body's bytes and their ETag, made once per page and field. */
interface ReadyAnswer {
  body: Buffer;
  etag: string | undefined;
}

export function swapiRouter(swapi: SwapiClient): Router {
  const router = Router();
  // Keyed by the page the client hands back: the same object for as long as the cache keeps it,
  // so a page is serialized and hashed once, not on every request. A refreshed page is a new key;
  // the old one's answer goes with it.
  const answers = { movies: new WeakMap<SwapiPage, ReadyAnswer>(), people: new WeakMap<SwapiPage, ReadyAnswer>() };

  /**
   * What res.json would send (the same bytes, Content-Type and ETag, and a 304 when the client's
   * copy is current), from the ready answer.
   */
  const send = (req: Request, res: Response, field: keyof typeof answers, { page, cache }: SwapiResult) => {
    let answer = answers[field].get(page);
    if (answer === undefined) {
      const body = Buffer.from(JSON.stringify({ [field]: page }));
      const etagOf = req.app.get('etag fn') as ((body: Buffer, encoding?: string) => string | undefined) | undefined;
      answer = { body, etag: etagOf?.(body) };
      answers[field].set(page, answer);
    }
    res.setHeader(CACHE_HEADER, cache);
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    if (answer.etag !== undefined) res.setHeader('ETag', answer.etag);
    res.send(answer.body);
  };

  router.get('/movies', async (req, res) => {
    send(req, res, 'movies', await swapi.films());
  });

  router.get('/people', async (req, res) => {
    send(req, res, 'people', await swapi.people(parsePage(req.query.page)));
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
