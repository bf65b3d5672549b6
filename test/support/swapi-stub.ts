import type { Server } from 'node:http';
import { createSwapiStub } from '../../services/swapi-stub/server';

export interface RunningStub {
  baseUrl: string;
  close(): Promise<void>;
}

/** Starts the SWAPI stub (the same code as its container) on a free loopback port. */
export async function startSwapiStub(options?: Parameters<typeof createSwapiStub>[0]): Promise<RunningStub> {
  const server: Server = createSwapiStub(options);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    baseUrl: `http://127.0.0.1:${port}/api`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
