import { AppError } from '../shared/errors';
import { FAVORITE_TYPES, type FavoriteType } from './model';

export interface NewFavorite {
  type: FavoriteType;
  name: string;
  url: string;
}

interface FieldProblem {
  field: string;
  message: string;
}

const MAX_NAME_LENGTH = 200;
const MAX_URL_LENGTH = 2048;
const OBJECT_ID = /^[0-9a-f]{24}$/i;

/**
 * Accepts only plain strings, so an operator object such as {"$ne": null} never reaches a query.
 * Unknown fields are dropped.
 */
export function parseNewFavorite(body: unknown): NewFavorite {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new AppError(400, 'VALIDATION_FAILED', 'The body must be a JSON object with type, name and url.');
  }
  const input = body as Record<string, unknown>;
  const problems: FieldProblem[] = [];
  const text = (field: string, maxLength: number): string | undefined => {
    const raw = input[field];
    if (raw === undefined || raw === null) {
      problems.push({ field, message: `${field} is required` });
    } else if (typeof raw !== 'string') {
      problems.push({ field, message: `${field} must be a string` });
    } else if (raw.trim() === '') {
      problems.push({ field, message: `${field} must not be blank` });
    } else if (raw.trim().length > maxLength) {
      problems.push({ field, message: `${field} must be at most ${maxLength} characters` });
    } else {
      return raw.trim();
    }
    return undefined;
  };

  const type = text('type', 20);
  const name = text('name', MAX_NAME_LENGTH);
  const url = text('url', MAX_URL_LENGTH);
  if (type !== undefined && !(FAVORITE_TYPES as readonly string[]).includes(type)) {
    problems.push({ field: 'type', message: `type must be one of: ${FAVORITE_TYPES.join(', ')}` });
  }
  if (url !== undefined && !isHttpUrl(url)) {
    problems.push({ field: 'url', message: 'url must be an http or https URL' });
  }
  if (problems.length > 0) {
    throw new AppError(400, 'VALIDATION_FAILED', problems.map((p) => p.message).join('; '), problems);
  }
  return { type: type as FavoriteType, name: name!, url: url! };
}

export function parseFavoriteId(id: string): string {
  if (!OBJECT_ID.test(id)) {
    throw new AppError(400, 'INVALID_ID', `"${id}" is not a valid favorite id (24 hexadecimal characters).`);
  }
  return id;
}

function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}
