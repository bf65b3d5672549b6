import { lookup } from 'node:dns/promises';
import mongoose, { type Connection } from 'mongoose';
import type { MongoConfig } from '../shared/config';
import type { Logger } from '../shared/logger';
import {
  connectionLost,
  containerNetwork,
  diagnose,
  runningInContainer,
  type ContainerNetwork,
  type Diagnosis,
} from './diagnosis';

export type DatabaseState = 'connecting' | 'connected' | 'disconnected' | 'stopped';

/** Where the connection stands: its target (password left out), its state and its last failure. */
export interface ConnectionStatus {
  host: string;
  port: number;
  name: string;
  url: string;
  resolvedAddress: string | null;
  state: DatabaseState;
  attempts: number;
  failure: (Diagnosis & { at: string }) | undefined;
}

/** What the HTTP layer needs to know about the database. */
export interface DatabaseStatus {
  isConnected(): boolean;
  /** The current failure, if any, to explain a 503. */
  currentFailure(): Diagnosis | undefined;
  /** Pings the server when connected, records a failure like any other, and says where things stand. */
  check(): Promise<{ reachable: boolean; status: ConnectionStatus }>;
  /** A request just failed to use the server: keep its cause for the 503s until the connector knows better. */
  noteFailure(error: unknown): void;
}

export interface ConnectorOptions {
  /** How long one attempt (and any query while the server is gone) waits before failing. */
  serverSelectionTimeoutMS?: number;
  initialRetryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Runs after each successful connect, before the connector reports itself connected. */
  onConnected?: () => Promise<unknown>;
  inContainer?: boolean;
  /** The container's network, for the hints; read from its interfaces at each failure when left out. */
  network?: ContainerNetwork;
}

/**
 * Keeps a mongoose connection alive without blocking startup: the HTTP server listens
 * at once, this connects in the background with backoff, and records why each attempt failed.
 * Once connected, the driver itself reconnects after an outage.
 */
export class MongoConnector implements DatabaseStatus {
  private readonly selectionTimeoutMs: number;
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly inContainer: boolean;
  private connecting = false;
  private lostConnection = false;
  private attempts = 0;
  private failure?: Diagnosis & { at: string };
  private resolvedAddress: string | null = null;
  private everConnected = false;
  private stopped = false;
  private loop?: Promise<void>;
  private wakeUp?: () => void;

  constructor(
    /** An unopened connection (mongoose.createConnection()) with the app's models on it. */
    readonly connection: Connection,
    private readonly config: MongoConfig,
    private readonly log: Logger,
    private readonly options: ConnectorOptions = {},
  ) {
    this.selectionTimeoutMs = options.serverSelectionTimeoutMS ?? 1000;
    this.initialDelayMs = options.initialRetryDelayMs ?? 250;
    this.maxDelayMs = options.maxRetryDelayMs ?? 5000;
    this.inContainer = options.inContainer ?? runningInContainer();
  }

  start(): void {
    if (this.loop) return;
    this.stopped = false;
    this.connection.on('disconnected', this.onDisconnected);
    this.connection.on('connected', this.onReconnected);
    this.connection.on('reconnected', this.onReconnected);
    this.loop = this.connectWithRetries();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeUp?.();
    await this.loop;
    this.connection.off('disconnected', this.onDisconnected);
    this.connection.off('connected', this.onReconnected);
    this.connection.off('reconnected', this.onReconnected);
    await this.connection.close();
    this.loop = undefined;
  }

  isConnected(): boolean {
    return this.state() === 'connected';
  }

  state(): DatabaseState {
    if (this.stopped) return 'stopped';
    if (!this.everConnected) return this.connecting ? 'connecting' : 'disconnected';
    return this.connection.readyState === mongoose.ConnectionStates.connected ? 'connected' : 'disconnected';
  }

  currentFailure(): Diagnosis | undefined {
    return this.failure;
  }

  async check(): Promise<{ reachable: boolean; status: ConnectionStatus }> {
    const db = this.connection.db;
    if (this.everConnected && db && !this.stopped) {
      try {
        await withTimeout(db.admin().ping(), this.selectionTimeoutMs + 1000);
        this.failure = undefined;
        // The driver reconnects by itself, to wherever the name points now: show that address.
        this.resolvedAddress = await this.resolve();
        return { reachable: true, status: this.status('connected') };
      } catch (error) {
        // Resolve first: the hint depends on what the name means now, not when we connected.
        this.resolvedAddress = await this.resolve();
        this.recordFailure(error);
        return { reachable: false, status: this.status('disconnected') };
      }
    }
    this.resolvedAddress = await this.resolve();
    const current = this.state();
    return { reachable: false, status: this.status(current === 'connected' ? 'disconnected' : current) };
  }

  noteFailure(error: unknown): void {
    // The connector's own checks are the better witness; a request's error only fills the gap
    // between a failure and the first check that explains it (better than "the connection was lost").
    if (!this.failure || this.failure.code === 'CONNECTION_LOST') this.recordFailure(error);
  }

  private async connectWithRetries(): Promise<void> {
    let delay = this.initialDelayMs;
    this.connecting = true;
    while (!this.stopped) {
      this.attempts += 1;
      try {
        this.resolvedAddress = await this.resolve();
        await this.connection.openUri(this.config.url, {
          serverSelectionTimeoutMS: this.selectionTimeoutMs,
          // Notice a returning server within seconds, not the driver's default 10.
          heartbeatFrequencyMS: 2000,
          // A server that vanishes without closing connections (a stale IP, a dropped link) sends
          // no reset: without these limits a query on an open socket would wait forever.
          connectTimeoutMS: 2000,
          socketTimeoutMS: socketTimeoutMs(this.config.queryTimeoutMs),
          // Fail fast instead of queueing queries for 10 s while the server is away.
          bufferCommands: false,
          // A 201 promises the favorite survives a crash of MongoDB: acknowledged only once journaled.
          writeConcern: { w: 1, journal: this.config.journal },
          autoIndex: false,
        });
        await this.options.onConnected?.();
        if (this.stopped) break;
        this.everConnected = true;
        this.failure = undefined;
        this.log.info('connected to MongoDB', {
          url: this.config.safeUrl,
          address: this.resolvedAddress,
          attempts: this.attempts,
        });
        break;
      } catch (error) {
        this.recordFailure(error);
        await this.connection.close().catch(() => undefined);
        await this.pause(delay);
        delay = Math.min(delay * 2, this.maxDelayMs);
      }
    }
    this.connecting = false;
  }

  /** Logs a failure only when its cause changes, so a long outage is one line, not thousands. */
  private recordFailure(error: unknown): void {
    // Closing the connection fails whatever is in flight (MongoTopologyClosedError and the like):
    // that is the shutdown itself, not an outage to report.
    if (this.stopped) return;
    const diagnosis = diagnose(error, {
      host: this.config.host,
      port: this.config.port,
      inContainer: this.inContainer,
      resolvedAddress: this.resolvedAddress,
      // Read each time: `docker network connect` can give a running container a network.
      network: this.options.network ?? (this.inContainer ? containerNetwork() : undefined),
    });
    if (diagnosis.code !== this.failure?.code) {
      this.log.warn(
        `cannot reach MongoDB at ${this.config.host}:${this.config.port} (${diagnosis.code}). ${diagnosis.hint}`,
        {
          error: diagnosis.message,
          attempt: this.attempts,
        },
      );
    }
    this.failure = { ...diagnosis, at: new Date().toISOString() };
  }

  private readonly onDisconnected = () => {
    if (!this.everConnected || this.stopped || this.lostConnection) return;
    this.lostConnection = true;
    this.log.warn('lost the connection to MongoDB; the driver keeps retrying', { url: this.config.safeUrl });
    // Until the check below finds out why, the 503s say what is known already.
    this.failure ??= { ...connectionLost(this.config), at: new Date().toISOString() };
    // Find out why now, so 503s and the log carry the hint without waiting for a /readyz call.
    void this.check();
  };

  private readonly onReconnected = () => {
    if (!this.lostConnection) return;
    this.lostConnection = false;
    this.failure = undefined;
    this.log.info('reconnected to MongoDB', { url: this.config.safeUrl });
  };

  private async resolve(): Promise<string | null> {
    try {
      return (await lookup(this.config.host)).address;
    } catch {
      return null;
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private status(state: DatabaseState): ConnectionStatus {
    const { host, port, dbName, safeUrl } = this.config;
    return {
      host,
      port,
      name: dbName,
      url: safeUrl,
      resolvedAddress: this.resolvedAddress,
      state,
      attempts: this.attempts,
      failure: this.failure,
    };
  }
}

/** The socket gives up on a vanished server after 2 s, but never before MongoDB has stopped a slow query itself. */
const SOCKET_TIMEOUT_MS = 2000;
const SOCKET_MARGIN_MS = 500;

/**
 * A slow query must end with MongoDB's own MaxTimeMSExpired (504, MongoDB answered), not with
 * a socket timeout, which reads as an outage (503): the socket waits a margin longer than a query may run.
 */
export const socketTimeoutMs = (queryTimeoutMs: number) =>
  Math.max(SOCKET_TIMEOUT_MS, queryTimeoutMs + SOCKET_MARGIN_MS);

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${ms} ms`), { code: 'ETIMEDOUT' })), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
