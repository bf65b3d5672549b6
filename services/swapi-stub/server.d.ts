import type { IncomingMessage, Server } from 'node:http';

export interface SwapiStubOptions {
  /** Wait this long before answering (to provoke client timeouts). */
  delayMs?: number;
  /** Answer no request before this settles (so a test decides when the first answer leaves). */
  holdUntil?: Promise<unknown>;
  /** Answer every request with this HTTP status (to provoke upstream errors). */
  failStatus?: number;
  /** Answer every request with a 302 to this URL. */
  redirectTo?: string;
  /** Answer 200 with this JSON instead of a fixture page (to serve the wrong shape). */
  body?: unknown;
  /** Pad every JSON answer to about this many bytes (to serve one that is too large). */
  bodyBytes?: number;
  /** Send every answer's body one byte at a time, at this rate. */
  trickleBytesPerSecond?: number;
  /** Called for every request, before it is answered (to count them). */
  onRequest?: (req: IncomingMessage) => void;
}

export function createSwapiStub(options?: SwapiStubOptions): Server;
