import type { ConnectionStatus } from '../db/connection';

/** What GET /readyz reports about the database: the connector's status, with its failure spelled out. */
export interface ReadinessReport {
  ready: boolean;
  database: Omit<ConnectionStatus, 'failure'> & {
    lastError: { code: string; message: string; at: string } | null;
    hint: string | null;
  };
}

/** The body of GET /readyz: the report, plus the error code and message of a 503. */
export type ReadinessBody = ReadinessReport & {
  status: 'ready' | 'unavailable';
  code?: 'DATABASE_UNAVAILABLE';
  message?: string;
};

/** GET /readyz between SIGTERM and exit. */
export const DRAINING_BODY = Object.freeze({
  status: 'draining',
  code: 'SHUTTING_DOWN',
  message: 'The API is shutting down: send new requests elsewhere.',
  ready: false,
});

/** GET /readyz when the diagnosis is not public (PUBLIC_DIAGNOSIS=false): ready or not, and nothing about where or why. */
export const privateReadinessBody = (reachable: boolean) =>
  reachable
    ? { status: 'ready', ready: true }
    : {
        status: 'unavailable',
        code: 'DATABASE_UNAVAILABLE',
        message: 'MongoDB is not reachable. The API log says why.',
        ready: false,
      };

export function readinessBody(reachable: boolean, status: ConnectionStatus): ReadinessBody {
  const { failure, ...database } = status;
  const report: ReadinessReport = {
    ready: reachable,
    database: {
      ...database,
      lastError: failure ? { code: failure.code, message: failure.message, at: failure.at } : null,
      hint: failure?.hint ?? null,
    },
  };
  if (reachable) return { status: 'ready', ...report };
  return {
    status: 'unavailable',
    code: 'DATABASE_UNAVAILABLE',
    message: `MongoDB is not reachable${failure?.hint ? `: ${failure.hint}` : '.'}`,
    ...report,
  };
}
