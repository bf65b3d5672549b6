import { existsSync } from 'node:fs';
import { isIP } from 'node:net';

// Turns a failed MongoDB connection into the networking mistake that most likely caused it.

/** Error codes this module tells apart; anything else keeps the driver's own code or name. */
export type FailureCode =
  | 'ENOTFOUND'
  | 'EAI_AGAIN'
  | 'ECONNREFUSED'
  | 'ETIMEDOUT'
  | 'EHOSTUNREACH'
  | 'ENETUNREACH'
  | 'ECONNRESET'
  | 'AUTH_FAILED'
  | 'UNAUTHORIZED'
  | (string & {});

export interface Diagnosis {
  code: FailureCode;
  message: string;
  hint: string;
}

export interface Target {
  host: string;
  port: number;
  /** Whether the API itself runs in a container: there, "localhost" is the container. */
  inContainer: boolean;
}

const SYSTEM_CODES = ['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET'];

export const runningInContainer = (): boolean => existsSync('/.dockerenv');

/** The most specific failure code in a driver error: its own code, its cause, or a server's last error. */
export function failureCode(error: unknown): FailureCode {
  const seen = new Set<unknown>();
  const visit = (err: unknown): FailureCode | undefined => {
    if (err === null || typeof err !== 'object' || seen.has(err)) return undefined;
    seen.add(err);
    const e = err as { code?: unknown; codeName?: unknown; cause?: unknown; reason?: unknown; message?: unknown };
    if (typeof e.code === 'string' && SYSTEM_CODES.includes(e.code)) return e.code;
    if (e.codeName === 'AuthenticationFailed' || e.code === 18) return 'AUTH_FAILED';
    if (e.codeName === 'Unauthorized' || e.code === 13) return 'UNAUTHORIZED';
    const fromCause = visit(e.cause);
    if (fromCause) return fromCause;
    // A server selection error keeps each server's last error in reason.servers.
    const servers = (e.reason as { servers?: Map<string, { error?: unknown }> } | undefined)?.servers;
    if (servers instanceof Map) {
      for (const description of servers.values()) {
        const fromServer = visit(description.error);
        if (fromServer) return fromServer;
      }
    }
    const text = typeof e.message === 'string' ? e.message : '';
    const named = SYSTEM_CODES.find((code) => text.includes(code));
    if (named) return named;
    if (/timed out|timeout/i.test(text)) return 'ETIMEDOUT';
    return undefined;
  };
  return visit(error) ?? ((error as { name?: string })?.name || 'UNKNOWN');
}

const isLoopback = (host: string) =>
  host === 'localhost' || host === '::1' || host === '[::1]' || host.startsWith('127.');

/** The hint for one failure code against one target. */
export function hintFor(code: FailureCode, target: Target): string {
  const { host, port, inContainer } = target;
  const where = `${host}:${port}`;
  switch (code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      if (host === 'host.docker.internal') {
        return (
          'host.docker.internal does not resolve in this container. Docker Desktop provides it; on Linux add ' +
          '`extra_hosts: ["host.docker.internal:host-gateway"]` to the API service (or `--add-host host.docker.internal:host-gateway`).'
        );
      }
      if (!host.includes('.') && !isIP(host)) {
        return (
          `"${host}" is not a name this container can resolve. Container names resolve only between containers on ` +
          'the same user-defined network (the default bridge has no DNS): put the API and MongoDB on one network, ' +
          'and check that the name matches the MongoDB service or container.'
        );
      }
      return `DNS lookup of "${host}" failed: check the host name in MONGODB_HOST or MONGODB_URL.`;
    case 'ECONNREFUSED':
      if (isLoopback(host)) {
        return inContainer
          ? `Nothing listens on ${where} inside this container: localhost is the container itself, not your machine ` +
              'or another container. Use host.docker.internal for a MongoDB on the host, or the MongoDB service name on a shared network.'
          : `Nothing listens on ${where}: start MongoDB there, or point MONGODB_HOST / MONGODB_URL at the server.`;
      }
      if (host === 'host.docker.internal') {
        return (
          `The host refused ${where}. A MongoDB on the host must listen on an address containers can reach ` +
          '(bindIp 0.0.0.0 or the docker0 address), not only 127.0.0.1, and must be running on that port.'
        );
      }
      return `${where} refused the connection: the address answers but no MongoDB listens on port ${port}. Is it running, on that port?`;
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      if (isIP(host)) {
        return (
          `No answer from ${where}: the address is wrong or stale. Container IPs change when containers are recreated; ` +
          'use a service name on a user-defined network, or pin the address with a static ipv4_address.'
        );
      }
      if (host === 'host.docker.internal') {
        return `No answer from the host at ${where}: a firewall may drop traffic from containers to the host, or MongoDB is not listening there.`;
      }
      return `No answer from ${where}: check the address, the port and any firewall between the API and MongoDB.`;
    case 'ECONNRESET':
      return `${where} closed the connection: is it a MongoDB server (and not, say, a TLS-only port)?`;
    case 'AUTH_FAILED':
      return (
        'MongoDB rejected the credentials: check MONGODB_USERNAME and MONGODB_PASSWORD or MONGODB_PASSWORD_FILE ' +
        '(the user must exist in the admin database; the compose files create it with the database-user one-shot).'
      );
    case 'UNAUTHORIZED':
      return (
        'MongoDB requires a signed-in user with the right to this database: set MONGODB_USERNAME and MONGODB_PASSWORD ' +
        'or MONGODB_PASSWORD_FILE, for a user with the readWrite role on it.'
      );
    default:
      return `Could not reach MongoDB at ${where}: see the error message.`;
  }
}

export function diagnose(error: unknown, target: Target): Diagnosis {
  const code = failureCode(error);
  const message = error instanceof Error ? error.message : String(error);
  return { code, message, hint: hintFor(code, target) };
}
