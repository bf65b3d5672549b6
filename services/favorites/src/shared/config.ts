// The one place that reads process.env: every setting is validated once, at startup.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface MongoConfig {
  /** Connection string handed to mongoose (may hold a password: never log it). */
  url: string;
  /** The same string with the password masked, safe for logs and /readyz. */
  safeUrl: string;
  /** First host and port of the connection string, for diagnostics. */
  host: string;
  port: number;
  dbName: string;
}

export interface Config {
  port: number;
  logLevel: LogLevel;
  mongo: MongoConfig;
  swapi: { baseUrl: string; timeoutMs: number };
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const DEFAULT_SWAPI_BASE_URL = 'https://swapi.dev/api';
const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

/** Reads and validates the configuration; throws a ConfigError naming the bad variable. */
export function loadConfig(env: Env = process.env): Config {
  const config: Config = {
    port: integerVar(env, 'PORT', 3000, 1, 65535),
    logLevel: logLevelVar(env),
    mongo: mongoConfig(env),
    swapi: {
      baseUrl: httpUrlVar(env, 'SWAPI_BASE_URL', DEFAULT_SWAPI_BASE_URL),
      timeoutMs: integerVar(env, 'SWAPI_TIMEOUT_MS', 5000, 1, 600_000),
    },
  };
  return Object.freeze(config);
}

function mongoConfig(env: Env): MongoConfig {
  const url = value(env, 'MONGODB_URL');
  if (url !== undefined) return fromUrl(url);

  const host = value(env, 'MONGODB_HOST') ?? 'localhost';
  if (!/^[A-Za-z0-9.\-:[\]_]+$/.test(host)) {
    throw new ConfigError('MONGODB_HOST', `must be a host name or an IP address, got "${host}"`);
  }
  const port = integerVar(env, 'MONGODB_PORT', 27017, 1, 65535);
  const dbName = value(env, 'MONGODB_DB') ?? 'swfavorites';
  if (!/^[^/\\. "$]{1,63}$/.test(dbName)) {
    throw new ConfigError('MONGODB_DB', `is not a valid database name: "${dbName}"`);
  }
  const username = value(env, 'MONGODB_USERNAME');
  const password = value(env, 'MONGODB_PASSWORD');
  if (password !== undefined && username === undefined) {
    throw new ConfigError('MONGODB_PASSWORD', 'is set but MONGODB_USERNAME is not');
  }

  const hostPart = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  const build = (secret: string | undefined) => {
    // Users created through the official image's MONGO_INITDB_ROOT_* live in the admin database.
    const credentials =
      username === undefined ? '' : `${encodeURIComponent(username)}${secret === undefined ? '' : `:${secret}`}@`;
    const query = username === undefined ? '' : '?authSource=admin';
    return `mongodb://${credentials}${hostPart}:${port}/${dbName}${query}`;
  };
  return {
    url: build(password === undefined ? undefined : encodeURIComponent(password)),
    safeUrl: build(password === undefined ? undefined : '****'),
    host,
    port,
    dbName,
  };
}

function fromUrl(url: string): MongoConfig {
  // WHATWG URL cannot parse seed lists ("h1:1,h2:2"), so take the parts with one expression.
  const match = /^(mongodb(?:\+srv)?):\/\/(?:([^@/]*)@)?([^/?]+)(?:\/([^?]*))?/.exec(url);
  if (!match) {
    throw new ConfigError('MONGODB_URL', 'must start with mongodb:// or mongodb+srv:// and name a host');
  }
  const [, scheme, credentials, hosts, path] = match;
  const first = hosts.split(',')[0];
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(first);
  const [host, portText] = bracketed ? [bracketed[1], bracketed[2]] : first.split(':');
  const port = portText === undefined ? 27017 : Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ConfigError('MONGODB_URL', `has an invalid port "${portText}"`);
  }
  const safeCredentials = credentials?.includes(':') ? `${credentials.split(':')[0]}:****` : credentials;
  return {
    url,
    safeUrl: credentials === undefined ? url : url.replace(`${credentials}@`, `${safeCredentials}@`),
    host,
    port: scheme === 'mongodb+srv' ? 27017 : port,
    dbName: decodeURIComponent(path || 'test'),
  };
}

/** A variable's value, with unset and blank treated alike. */
function value(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw === undefined || raw === '' ? undefined : raw;
}

function integerVar(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = value(env, name);
  if (raw === undefined) return fallback;
  const parsed = Number(raw);
  if (!/^\d+$/.test(raw) || parsed < min || parsed > max) {
    throw new ConfigError(name, `must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return parsed;
}

function httpUrlVar(env: Env, name: string, fallback: string): string {
  const raw = value(env, name) ?? fallback;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, `must be an http(s) URL, got "${raw}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConfigError(name, `must be an http(s) URL, got "${raw}"`);
  }
  return raw.replace(/\/+$/, '');
}

function logLevelVar(env: Env): LogLevel {
  const raw = (value(env, 'LOG_LEVEL') ?? 'info').toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(raw)) {
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}, got "${raw}"`);
  }
  return raw as LogLevel;
}
