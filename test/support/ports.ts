import { createServer } from 'node:net';

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/**
 * A port nothing listens on: privileged, so no test server can take it, unlike a port that was
 * merely free a moment ago. Connecting to it on 127.0.0.1 is refused at once.
 */
export const CLOSED_PORT = 9;
