import type { Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
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
  /** Open connections that have not been sent a `Connection: close` yet. */
  private readonly untold = new Set<Socket>();

  /** Follows the server's connections, so that the shutdown knows which ones still have to be told. */
  watch(server: Server): void {
    server.on('connection', (socket: Socket) => {
      this.untold.add(socket);
      socket.on('close', () => this.untold.delete(socket));
    });
  }

  startDraining(): void {
    this.draining = true;
    for (const res of this.inFlight) this.closeAfter(res);
  }

  /**
   * How many open connections have not been told to close. Closing the listener closes the idle
   * ones at once, and a client that is just sending its next request on one of those gets a reset:
   * the shutdown waits (a bounded time) for this to reach 0 first.
   */
  connectionsToTell(): number {
    return this.untold.size;
  }

  /** Middleware that marks each response, now or once draining starts. */
  readonly closeConnectionsWhileDraining: RequestHandler = (_req, res, next) => {
    if (this.draining) {
      this.closeAfter(res);
    } else {
      this.inFlight.add(res);
      res.once('close', this.forget);
    }
    next();
  };

  /** Every response's 'close' listener, which Node calls with the response as `this`: one function, not a closure per request. */
  private readonly forget = forgetter(this.inFlight);

  private closeAfter(res: ServerResponse): void {
    if (res.headersSent) return; // too late for this one: its client's next request gets told
    res.setHeader('Connection', 'close');
    this.untold.delete(res.socket as Socket);
  }
}

function forgetter(inFlight: Set<ServerResponse>): (this: ServerResponse) => void {
  return function forget(this: ServerResponse) {
    inFlight.delete(this);
  };
}
