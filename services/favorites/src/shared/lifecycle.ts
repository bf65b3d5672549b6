import type { ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';

/**
 * Whether the API is shutting down: server.ts calls startDraining() on SIGTERM, the HTTP layer
 * reads `draining`. While draining, every response asks its client to close the connection
 * (`Connection: close`), so keep-alive clients leave after their current request instead of being
 * reset when we exit. That includes the requests already in flight when the signal came.
 */
export class Lifecycle {
  draining = false;
  private readonly inFlight = new Set<ServerResponse>();

  startDraining(): void {
    this.draining = true;
    for (const res of this.inFlight) closeAfter(res);
  }

  /** Middleware that marks each response, now or once draining starts. */
  readonly closeConnectionsWhileDraining: RequestHandler = (_req, res, next) => {
    if (this.draining) {
      closeAfter(res);
    } else {
      this.inFlight.add(res);
      res.on('close', () => this.inFlight.delete(res));
    }
    next();
  };
}

function closeAfter(res: ServerResponse): void {
  if (!res.headersSent) res.setHeader('Connection', 'close');
}
