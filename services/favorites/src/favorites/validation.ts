import type { z } from 'zod';
import { AppError } from '../shared/errors';
import { decodeCursor, type PagePosition } from './cursor';
import { listFavoritesQuerySchema, newFavoriteSchema, type NewFavorite } from './schema';

interface FieldProblem {
  field: string;
  message: string;
}

const OBJECT_ID = /^[0-9a-f]{24}$/i;

/**
 * Checks a POST body against the favorite's schema. Only plain strings pass, so an operator
 * object such as {"$ne": null} never reaches a query; unknown fields are dropped here.
 */
export function parseNewFavorite(body: unknown): NewFavorite {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new AppError(400, 'VALIDATION_FAILED', 'The body must be a JSON object with type, name and url.');
  }
  const result = newFavoriteSchema.safeParse(body);
  if (!result.success) throw validationFailed(result.error);
  const { type, name, url } = result.data;
  return { type, name, url };
}

/** One page of the list: how many favorites, and after which one (none: from the newest). */
export interface PageRequest {
  limit: number;
  after?: PagePosition;
}

/** Checks GET /favorites' query; unknown parameters are ignored. */
export function parseListQuery(query: unknown): PageRequest {
  const result = listFavoritesQuerySchema.safeParse(query);
  if (!result.success) throw validationFailed(result.error);
  const { limit, cursor } = result.data;
  return { limit, after: cursor === undefined ? undefined : decodeCursor(cursor) };
}

/** A 400 naming each broken rule, with the field it is about. */
function validationFailed(error: z.ZodError): AppError {
  const problems: FieldProblem[] = error.issues.map((issue) => ({
    field: String(issue.path[0]),
    message: issue.message,
  }));
  return new AppError(400, 'VALIDATION_FAILED', problems.map((p) => p.message).join('; '), problems);
}

export function parseFavoriteId(id: string): string {
  if (!OBJECT_ID.test(id)) {
    throw new AppError(400, 'INVALID_ID', `"${id}" is not a valid favorite id (24 hexadecimal characters).`);
  }
  return id;
}
