import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { AppError } from '../shared/errors';

const REALM = 'Bearer realm="favorites"';

/**
 * Guards a write: with a token configured (FAVORITES_API_TOKEN), the request must carry
 * `Authorization: Bearer <token>`, or it gets a 401 with a WWW-Authenticate challenge (RFC 6750);
 * without one, every request passes. Checked before the body is read or the database is asked.
 */
export function requireWriteToken(token: string | undefined): RequestHandler {
  if (token === undefined) return (_req, _res, next) => next();
  const expected = digest(token);
  return (req, res, next) => {
    const given = /^Bearer +([^ ]+) *$/i.exec(req.get('authorization') ?? '')?.[1];
    if (given === undefined) {
      res.set('WWW-Authenticate', REALM);
      throw new AppError(401, 'TOKEN_REQUIRED', 'This write needs the API token: send Authorization: Bearer <token>.');
    }
    // Digests of equal length, compared in constant time: the answer's timing says nothing of the token.
    if (!timingSafeEqual(digest(given), expected)) {
      res.set('WWW-Authenticate', `${REALM}, error="invalid_token"`);
      throw new AppError(401, 'TOKEN_INVALID', 'The API token in Authorization is not the one this API expects.');
    }
    next();
  };
}

const digest = (text: string) => createHash('sha256').update(text).digest();
