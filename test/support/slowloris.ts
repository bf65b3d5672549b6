import { connect, type Socket } from 'node:net';

/** Slow clients holding connections open, and how to tell when the server has closed them all. */
export interface SlowClients {
  sockets: Socket[];
  /** True once every connection is closed, false if some are still open after `ms`. */
  allClosedWithin(ms: number): Promise<boolean>;
  /** What each client has read so far (the server's 408, if it sent one). */
  received(): string[];
  /** Stops the header lines and closes every socket still open. */
  destroy(): void;
}

/**
 * `count` slowloris clients on 127.0.0.1:`port`: each sends a request line and one header, never the
 * blank line that ends the headers; with `lineEveryMs`, one more header line every `lineEveryMs`, so
 * that a server timing out idle connections (rather than whole requests) never cuts them off.
 * Resolves once each socket is settled: connected or closed (on a busy machine one may be refused or
 * reset, and a promise that waited only for 'connect' would then wait forever).
 */
export async function slowClients(port: number, count: number, { lineEveryMs = 0 } = {}): Promise<SlowClients> {
  const clients = Array.from({ length: count }, () => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const settled = new Promise<void>((resolve) => {
      socket.once('connect', () => resolve());
      socket.once('close', () => resolve());
    });
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => (received += chunk)); // read, so that the server's 408 and close are seen
    socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    let line = 0;
    const timer =
      lineEveryMs > 0
        ? setInterval(() => {
            if (!socket.destroyed) socket.write(`X-Slow-${++line}: x\r\n`);
          }, lineEveryMs)
        : undefined;
    socket.once('close', () => clearInterval(timer));
    return { socket, closed, settled, received: () => received, stop: () => clearInterval(timer) };
  });
  await Promise.all(clients.map(({ settled }) => settled));

  return {
    sockets: clients.map(({ socket }) => socket),
    allClosedWithin: (ms) => {
      let timer: NodeJS.Timeout | undefined;
      return Promise.race([
        Promise.all(clients.map(({ closed }) => closed)).then(() => true),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms))),
      ]).finally(() => clearTimeout(timer));
    },
    received: () => clients.map((client) => client.received()),
    destroy: () => {
      for (const { socket, stop } of clients) {
        stop();
        socket.destroy();
      }
    },
  };
}
