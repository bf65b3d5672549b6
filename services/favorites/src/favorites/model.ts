import { Schema, type Connection, type InferSchemaType, type Model, type Types } from 'mongoose';
import { FAVORITE_TYPES } from './schema';

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
favoriteSchema.index({ createdAt: -1 });

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
