import type { RequestHandler } from 'express';

/** Whether the API is shutting down: server.ts sets it on SIGTERM, the HTTP layer reads it. */
export interface Lifecycle {
  draining: boolean;
}

/**
 * While draining, every response asks its client to close the connection (`Connection: close`),
 * so keep-alive clients leave after their current request instead of being reset when we exit.
 */
export function closeConnectionsWhileDraining(lifecycle: Lifecycle): RequestHandler {
  return (_req, res, next) => {
    if (lifecycle.draining) res.set('Connection', 'close');
    next();
  };
}
