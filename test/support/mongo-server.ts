import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports';

export interface MongoServer {
  /** Connection string for a database of this suite's own. */
  url: string;
  host: string;
  port: number;
  dbName: string;
  stop(): Promise<void>;
}

/**
 * A real MongoDB-compatible server for one test suite. With MONGODB_URL set (a real mongod),
 * the suite uses it with a database of its own; otherwise it starts FerretDB (built by
 * scripts/build-ferretdb.sh) on a free port with its data in a temporary directory.
 */
export async function startMongoServer(suite: string): Promise<MongoServer> {
  const dbName = `favorites_test_${suite.replace(/\W/g, '_')}_${process.pid}`;
  const external = process.env.MONGODB_URL;
  if (external) {
    const { host, port } = parseHostPort(external);
    const url = new URL(external);
    url.pathname = `/${dbName}`;
    return { url: url.toString(), host, port, dbName, stop: async () => undefined };
  }
  return startFerretDb({ dbName });
}

/**
 * FerretDB as a process on this machine, listening on `listenIp` (127.0.0.1 by default;
 * 0.0.0.0 plays a MongoDB on the host that containers can reach).
 */
export async function startFerretDb({ dbName = 'swfavorites', listenIp = '127.0.0.1' } = {}): Promise<MongoServer> {
  const binary = process.env.FERRETDB_BIN ?? 'ferretdb';
  const dataDir = mkdtempSync(join(tmpdir(), 'favtest-ferretdb-'));
  const port = await freePort();
  const child = spawn(
    binary,
    [
      '--handler=sqlite',
      `--sqlite-url=file:${dataDir}/`,
      `--state-dir=${dataDir}`,
      `--listen-addr=${listenIp}:${port}`,
      '--debug-addr=-',
      '--telemetry=disable',
      '--log-level=error',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr += chunk));
  const spawnFailure = new Promise<never>((_, reject) => {
    child.once('error', (error) =>
      reject(new Error(`cannot start ${binary} (${error.message}): run scripts/build-ferretdb.sh or set MONGODB_URL`)),
    );
    child.once('exit', (code) => reject(new Error(`${binary} exited with ${code}: ${stderr}`)));
  });
  const stop = async () => {
    await stopProcess(child);
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await Promise.race([waitForPort(port, 10_000), spawnFailure]);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url: `mongodb://127.0.0.1:${port}/${dbName}`,
    host: '127.0.0.1',
    port,
    dbName,
    stop,
  };
}

function parseHostPort(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port || 27017) };
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listened on port ${port} within ${timeoutMs} ms`);
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
