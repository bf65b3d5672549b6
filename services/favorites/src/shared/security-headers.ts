import type { RequestHandler } from 'express';

/**
 * Headers for a JSON API, set before any route runs so that every response carries them, errors
 * and unknown routes included:
 * - `X-Content-Type-Options: nosniff`: a browser never reads a JSON body as HTML or script;
 * - `Content-Security-Policy: default-src 'none'; frame-ancestors 'none'`: should it render one
 *   anyway, nothing loads or runs, and no page can frame it;
 * - `Cache-Control: no-store`: errors, health and favorites are never stored by a cache.
 *
 * Why no-store up front for every response: once a response is sent its headers are final, so
 * no-store cannot be added later "if the status is >= 400". A route whose successful answers may
 * be cached (GET /movies, /people) replaces it on its success path only; when it fails, the error
 * handler answers and the no-store set here stays.
 */
export const securityHeaders: RequestHandler = (_req, res, next) => {
  res.set({
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
    'Cache-Control': 'no-store',
  });
  next();
};
