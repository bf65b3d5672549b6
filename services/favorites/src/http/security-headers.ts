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
  // setHeader, not res.set: these run on every request, and need none of res.set's conversions.
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
  res.setHeader('Cache-Control', 'no-store');
  next();
};

/**
 * The CSP of the API reference (GET /docs), the one HTML page the API serves. Swagger UI needs its
 * script and stylesheet from this origin, fetch() to this origin (the document and "Try it out"),
 * and data: images (its stylesheet draws the icons that way). Nothing inline, no eval, nothing from
 * another origin. Checked in headless Chromium by test/integration/docs-page.int.test.ts: without
 * 'unsafe-inline' for styles the page logs no violation, because React sets style attributes
 * through the DOM, which CSP allows, and never writes a <style> element or a style="" in HTML.
 */
export const DOCS_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Replaces the API's CSP with the docs page's; only the route that sends that page uses it. */
export const docsPageSecurityHeaders: RequestHandler = (_req, res, next) => {
  res.set('Content-Security-Policy', DOCS_PAGE_CSP);
  next();
};
