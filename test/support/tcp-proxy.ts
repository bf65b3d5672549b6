import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of the database that a test can cut, freeze and restore, to play a
 * database outage against any server (FerretDB or a real mongod) without stopping it.
 */
export class TcpProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private frozen = false;
  private repliesFrozen = false;
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  /** Listens (again) on the same port as before, or on a free one the first time. */
  async open(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.targetPort, this.targetHost);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        // Both ends get reset when the proxy is cut; that is the point, not an error.
        socket.on('error', () => socket.destroy());
      }
      // Forwarded by hand rather than piped, so that freeze() can drop bytes like a dead link.
      client.on('data', (chunk) => this.frozen || upstream.write(chunk));
      upstream.on('data', (chunk) => this.frozen || this.repliesFrozen || client.write(chunk));
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  /** Keeps every connection open but delivers nothing: what a vanished host looks like (no reset). */
  freeze(): void {
    this.frozen = true;
  }

  /** Delivers requests but no replies: the database acts on a write, and the client never hears of it. */
  freezeReplies(): void {
    this.repliesFrozen = true;
  }

  thaw(): void {
    this.frozen = false;
    this.repliesFrozen = false;
  }

  /** Refuses new connections and resets the open ones: what clients see when the database dies. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
