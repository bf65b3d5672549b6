import { Agent, get } from 'node:http';

/**
 * One keep-alive client that reads `url` in a loop, as a browser or a load balancer's pool does,
 * until the server answers with `Connection: close`. Records every status and every socket error.
 */
export async function readUntilClosed(url: string): Promise<{ statuses: number[]; errors: string[]; closedPolitely: boolean }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const statuses: number[] = [];
  const errors: string[] = [];
  try {
    for (let i = 0; i < 10_000; i += 1) {
      const answer = await new Promise<{ status: number; close: boolean }>((resolve, reject) => {
        get(url, { agent }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, close: res.headers.connection === 'close' }));
          res.on('error', reject);
        }).on('error', reject);
      });
      statuses.push(answer.status);
      if (answer.close) return { statuses, errors, closedPolitely: true };
    }
  } catch (error) {
    errors.push((error as NodeJS.ErrnoException).code ?? String(error));
  } finally {
    agent.destroy();
  }
  return { statuses, errors, closedPolitely: false };
}
