import { Schema, Types, type Connection, type InferSchemaType, type Model } from 'mongoose';
import { encodeCursor } from './cursor';
import { FAVORITE_TYPES } from './schema';
import type { PageRequest } from './validation';

const favoriteSchema = new Schema(
  {
    type: { type: String, required: true, enum: FAVORITE_TYPES },
    name: { type: String, required: true },
    url: { type: String, required: true },
  },
  // No buffering: while MongoDB is away a query fails at once (503) instead of waiting.
  { timestamps: true, versionKey: false, bufferCommands: false },
);

// Duplicates are refused by the database itself, so parallel POSTs cannot both get in.
favoriteSchema.index({ name: 1 }, { unique: true });
// The list's order, newest first with _id breaking ties: the index serves both the sort and a cursor's range.
favoriteSchema.index({ createdAt: -1, _id: -1 });

export type FavoriteFields = InferSchemaType<typeof favoriteSchema> & { _id: Types.ObjectId };

export type FavoriteModel = Model<FavoriteFields>;

/** Registers the model on one connection, so several APIs (in tests) never share global state. */
export const favoriteModel = (connection: Connection): FavoriteModel =>
  connection.model<FavoriteFields>('Favorite', favoriteSchema);

/** The shape clients see: an `id`, never `_id` or driver internals. */
export function toFavoriteJson(doc: FavoriteFields) {
  return {
    id: doc._id.toString(),
    type: doc.type,
    name: doc.name,
    url: doc.url,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}

/** What toFavoriteJson reads, and all a list fetches (_id comes anyway). */
const JSON_FIELDS = { type: 1, name: 1, url: 1, createdAt: 1, updatedAt: 1 } as const;

export interface FavoritePage {
  favorites: FavoriteFields[];
  /** The cursor of the next page; null when this page is the last. */
  next: string | null;
}

/**
 * One page of favorites, newest first, stopped by MongoDB after `maxTimeMS`. One favorite more
 * than asked for is read, so `next` is null exactly when nothing follows (no empty last page).
 */
export async function findPage(
  Favorite: FavoriteModel,
  { limit, after }: PageRequest,
  maxTimeMS: number,
): Promise<FavoritePage> {
  // After (createdAt, _id) in descending order: older, or as old with a smaller _id. The $lte
  // alone bounds the index scan; the $or drops what the previous page already had.
  const filter = after
    ? {
        createdAt: { $lte: after.createdAt },
        $or: [{ createdAt: { $lt: after.createdAt } }, { _id: { $lt: new Types.ObjectId(after.id) } }],
      }
    : {};
  const found = await Favorite.find(filter, JSON_FIELDS)
    .sort({ createdAt: -1, _id: -1 })
    .limit(limit + 1)
    .maxTimeMS(maxTimeMS)
    .lean<FavoriteFields[]>();
  const favorites = found.slice(0, limit);
  return { favorites, next: found.length > limit ? encodeCursor(favorites[favorites.length - 1]) : null };
}
