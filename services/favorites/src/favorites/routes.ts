import express, { Router, type RequestHandler } from 'express';
import { hasMongoCode } from '../db/errors';
import { AppError, notFound } from '../shared/errors';
import { findPage, toFavoriteJson, type FavoriteModel } from './model';
import { parseFavoriteId, parseListQuery, parseNewFavorite } from './validation';

export interface FavoritesRouterOptions {
  /** Answers 503 at once while MongoDB is away. */
  whenDatabaseReady: RequestHandler;
  /** Lets a write (POST, DELETE) through, or answers 401 (the API token). */
  writeAllowed: RequestHandler;
  /** MongoDB stops any read that runs longer (a 504: slow, not down). */
  queryTimeoutMs: number;
}

/** The favorites routes. */
export function favoritesRouter(
  Favorite: FavoriteModel,
  { whenDatabaseReady, writeAllowed, queryTimeoutMs }: FavoritesRouterOptions,
): Router {
  const router = Router();
  // A write's token first: nothing of an unauthorized request is read. Then only a POST's body is
  // read, and before the database check, so a malformed request gets its 4xx even while MongoDB is
  // away. Other routes ignore a body: it is never a reason for a 400.
  router.post('/', writeAllowed, requireJson, express.json({ limit: '10kb' }));
  router.delete('/:id', writeAllowed);
  router.use(whenDatabaseReady);

  router.get('/', async (req, res) => {
    const page = await findPage(Favorite, parseListQuery(req.query), queryTimeoutMs);
    res.json({ favorites: page.favorites.map(toFavoriteJson), next: page.next });
  });

  router.post('/', async (req, res) => {
    const fields = parseNewFavorite(req.body);
    try {
      const favorite = await Favorite.create(fields);
      res.status(201).json({ message: 'Favorite saved!', favorite: toFavoriteJson(favorite) });
    } catch (error) {
      if (!hasMongoCode(error, 'DuplicateKey')) throw error;
      // The stored favorite comes back with the 409, so a client retrying a POST whose answer it
      // never got learns that the first attempt worked.
      const stored = await Favorite.findOne({ name: fields.name }).maxTimeMS(queryTimeoutMs);
      throw new AppError(
        409,
        'DUPLICATE_FAVORITE',
        'Favorite exists already!',
        undefined,
        stored ? { favorite: toFavoriteJson(stored) } : undefined,
      );
    }
  });

  router.get('/:id', async (req, res) => {
    const favorite = await Favorite.findById(parseFavoriteId(req.params.id)).maxTimeMS(queryTimeoutMs);
    if (!favorite) throw notFound(`No favorite with id ${req.params.id}.`);
    res.json({ favorite: toFavoriteJson(favorite) });
  });

  router.delete('/:id', async (req, res) => {
    const { deletedCount } = await Favorite.deleteOne({ _id: parseFavoriteId(req.params.id) });
    if (deletedCount === 0) throw notFound(`No favorite with id ${req.params.id}.`);
    res.status(204).end();
  });

  return router;
}

// Checked on the header, not with req.is(): an empty JSON body should get a 400, not a 415.
const requireJson: RequestHandler = (req, _res, next) => {
  if (!/^application\/json\s*(;|$)/i.test(req.get('content-type') ?? '')) {
    throw new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the favorite as JSON with Content-Type: application/json.');
  }
  next();
};
