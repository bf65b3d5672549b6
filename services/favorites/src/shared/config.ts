// The one place that reads process.env: every setting is validated once, at startup.
import { readFileSync } from 'node:fs';
import { buildMongoUrl, MongoUrlError, readMongoUrl, type MongoUrlTarget } from './mongodb-url';

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
  /** Acknowledge a write only once MongoDB has it in its journal (write concern j). */
  journal: boolean;
  /** How long MongoDB may work on one query (maxTimeMS) before it stops it: slow, not down. */
  queryTimeoutMs: number;
}

export interface Config {
  port: number;
  logLevel: LogLevel;
  /** On SIGTERM, how long /readyz says "draining" while requests are still served, before the listener closes. */
  shutdownDrainMs: number;
  /** How long a client may take to send its request headers (its whole request: three times that). */
  headersTimeoutMs: number;
  /** Whether /readyz and 503s show the diagnosis (addresses, errors, hints) to whoever asks; the log always has it. */
  publicDiagnosis: boolean;
  /** The bearer token that POST and DELETE on /favorites require; undefined leaves writes open (the local stacks). */
  apiToken: string | undefined;
  /** Host header names accepted beside loopback, IP addresses and single-label names; see allowedHostsVar. */
  allowedHosts: AllowedHosts;
  mongo: MongoConfig;
  swapi: SwapiConfig;
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
    shutdownDrainMs: integerVar(env, 'SHUTDOWN_DRAIN_MS', 2000, 0, 5000),
    headersTimeoutMs: integerVar(env, 'HTTP_HEADERS_TIMEOUT_MS', 10_000, 100, 60_000),
    publicDiagnosis: booleanVar(env, 'PUBLIC_DIAGNOSIS', true),
    apiToken: apiTokenVar(env),
    allowedHosts: allowedHostsVar(env),
    mongo: {
      ...mongoConfig(env),
      journal: booleanVar(env, 'MONGODB_JOURNAL', true),
      queryTimeoutMs: integerVar(env, 'MONGODB_QUERY_TIMEOUT_MS', 1500, 1, 60_000),
    },
    swapi: swapiConfig(env),
  };
  return Object.freeze(config);
}

/** What the one-shot that creates the API's MongoDB user needs (src/setup/database-user.ts). */
export interface DatabaseUserConfig {
  /** The API's user, its password and the database it may read and write. */
  username: string;
  password: string;
  dbName: string;
  /** The server, reached as the administrator (MONGODB_ROOT_USERNAME / MONGODB_ROOT_PASSWORD[_FILE]). */
  admin: Pick<MongoConfig, 'url' | 'safeUrl' | 'host' | 'port'> & {
    /** Where the administrator's password was read from (MONGODB_ROOT_PASSWORD_FILE), if from a file. */
    passwordFile?: string;
  };
}

/** Reads the API's connection settings and the administrator's credentials; both must be complete. */
export function loadDatabaseUserConfig(env: Env = process.env): DatabaseUserConfig {
  const required = (name: string, read: (env: Env, name: string) => string | undefined) => {
    const found = read(env, name);
    if (found === undefined)
      throw new ConfigError(name, `is required${name.endsWith('PASSWORD') ? ` (or ${name}_FILE)` : ''}`);
    return found;
  };
  const username = required('MONGODB_USERNAME', value);
  const password = required('MONGODB_PASSWORD', secretVar);
  const { dbName } = mongoConfig(env);
  // The same server, reached with the administrator's credentials instead of the API's.
  const adminEnv: Env = {
    ...env,
    MONGODB_USERNAME: required('MONGODB_ROOT_USERNAME', value),
    MONGODB_PASSWORD: required('MONGODB_ROOT_PASSWORD', secretVar),
    MONGODB_PASSWORD_FILE: undefined,
  };
  const { url, safeUrl, host, port } = mongoConfig(adminEnv);
  const passwordFile = value(env, 'MONGODB_ROOT_PASSWORD_FILE');
  return { username, password, dbName, admin: { url, safeUrl, host, port, passwordFile } };
}

function mongoConfig(env: Env): Omit<MongoConfig, 'journal' | 'queryTimeoutMs'> {
  const fullUrl = value(env, 'MONGODB_URL');
  if (fullUrl !== undefined) return fromUrl(fullUrl);

  const host = value(env, 'MONGODB_HOST') ?? 'localhost';
  if (!/^[A-Za-z0-9.\-:[\]_]+$/.test(host)) {
    throw new ConfigError('MONGODB_HOST', `must be a host name or an IP address, got "${host}"`);
  }
  const linked = /^tcp:\/\/[^/]+:\d+$/.test(value(env, 'MONGODB_PORT') ?? '');
  if (linked) {
    // Docker's legacy --link sets <ALIAS>_PORT=tcp://<ip>:<port> in the linking container: an alias
    // "mongodb" collides with our variable. Say where the value came from instead of "not a number".
    throw new ConfigError(
      'MONGODB_PORT',
      `is "${value(env, 'MONGODB_PORT')}": Docker's legacy --link sets that when the linked container's alias is "mongodb" ` +
        '(with MONGODB_PORT_27017_TCP and others). Give the link another alias (--link <container>:db with MONGODB_HOST=db), ' +
        'or better, put both containers on a user-defined network and drop --link.',
    );
  }
  const port = integerVar(env, 'MONGODB_PORT', 27017, 1, 65535);
  const dbName = value(env, 'MONGODB_DB') ?? 'swfavorites';
  if (!/^[^/\\. "$]{1,63}$/.test(dbName)) {
    throw new ConfigError('MONGODB_DB', `is not a valid database name: "${dbName}"`);
  }
  const username = value(env, 'MONGODB_USERNAME');
  const password = secretVar(env, 'MONGODB_PASSWORD');
  if (password !== undefined && username === undefined) {
    throw new ConfigError('MONGODB_PASSWORD', 'is set but MONGODB_USERNAME is not');
  }

  // TLS, with the stack's own CA (compose/parts/mongodb-tls.yml): a path, never a secret.
  const tlsCAFile = value(env, 'MONGODB_TLS_CA_FILE');
  if (tlsCAFile !== undefined && !tlsCAFile.startsWith('/')) {
    throw new ConfigError('MONGODB_TLS_CA_FILE', `must be an absolute path, got "${tlsCAFile}"`);
  }

  const url = buildMongoUrl({ host, port, dbName, username, password, tlsCAFile });
  // safeUrl is made as for MONGODB_URL: read back from the URL's parts, never by editing its text.
  return { url, safeUrl: readUrl(url).safeUrl, host, port, dbName };
}

/** MONGODB_URL's target, and its safe form; the URL itself goes to the driver as written. */
function fromUrl(url: string): Omit<MongoConfig, 'journal' | 'queryTimeoutMs'> {
  return { url, ...readUrl(url) };
}

/** Reads a connection string; one it refuses is MONGODB_URL's fault (one built from the parts always reads). */
function readUrl(url: string): MongoUrlTarget {
  try {
    return readMongoUrl(url);
  } catch (error) {
    if (error instanceof MongoUrlError) throw new ConfigError('MONGODB_URL', error.message);
    throw error;
  }
}

/**
 * A secret, given either in NAME or, the Docker secrets way, as a file named by NAME_FILE (so it
 * stays out of `docker inspect` and the environment). The file's trailing newline is not part of it.
 */
export function secretVar(env: Env, name: string): string | undefined {
  const file = value(env, `${name}_FILE`);
  if (file === undefined) return value(env, name);
  if (value(env, name) !== undefined) throw new ConfigError(name, `and ${name}_FILE are both set: give one`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `${name}_FILE`,
      `names a file that cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}): ${file}`,
    );
  }
  const secret = text.replace(/\r?\n$/, '');
  if (secret === '') throw new ConfigError(`${name}_FILE`, `names an empty file: ${file}`);
  return secret;
}

/** RFC 6750's token68: what a Bearer credential may hold, so any client can send it as written. */
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;
const MIN_TOKEN_LENGTH = 16;

/** FAVORITES_API_TOKEN or FAVORITES_API_TOKEN_FILE, read as the passwords are (secretVar). */
function apiTokenVar(env: Env): string | undefined {
  const token = secretVar(env, 'FAVORITES_API_TOKEN');
  if (token === undefined) return undefined;
  const name =
    value(env, 'FAVORITES_API_TOKEN_FILE') === undefined ? 'FAVORITES_API_TOKEN' : 'FAVORITES_API_TOKEN_FILE';
  // Never the token itself in the message: it would land in a log.
  if (token.length < MIN_TOKEN_LENGTH) {
    throw new ConfigError(name, `gives a token of ${token.length} characters: use at least ${MIN_TOKEN_LENGTH}`);
  }
  if (!TOKEN68.test(token)) {
    throw new ConfigError(
      name,
      'gives a token with characters a Bearer header cannot carry: use A-Z a-z 0-9 - . _ ~ + /',
    );
  }
  return token;
}

/** ALLOWED_HOSTS: exact names, `.example.org` for a domain and its subdomains, or `*` for any Host. */
export interface AllowedHosts {
  any: boolean;
  names: readonly string[];
  /** Domains given with a leading dot, kept without it. */
  domains: readonly string[];
}

function allowedHostsVar(env: Env): AllowedHosts {
  const entries = (value(env, 'ALLOWED_HOSTS') ?? '')
    .split(',')
    .map((entry) => entry.trim().toLowerCase().replace(/\.$/, ''))
    .filter(Boolean);
  for (const entry of entries) {
    if (entry !== '*' && !/^\.?[a-z0-9_-]+(\.[a-z0-9_-]+)*$/.test(entry)) {
      throw new ConfigError('ALLOWED_HOSTS', `holds "${entry}": give host names, .domains or *, separated by commas`);
    }
  }
  return {
    any: entries.includes('*'),
    names: entries.filter((entry) => entry !== '*' && !entry.startsWith('.')),
    domains: entries.filter((entry) => entry.startsWith('.')).map((entry) => entry.slice(1)),
  };
}

/** A variable's value, with unset and blank treated alike. */
function value(env: Env, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw === undefined || raw === '' ? undefined : raw;
}

function booleanVar(env: Env, name: string, fallback: boolean): boolean {
  const raw = value(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (raw !== 'true' && raw !== 'false') throw new ConfigError(name, `must be true or false, got "${raw}"`);
  return raw === 'true';
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
  return httpUrl(name, value(env, name) ?? fallback);
}

function logLevelVar(env: Env): LogLevel {
  const raw = (value(env, 'LOG_LEVEL') ?? 'info').toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(raw)) {
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}, got "${raw}"`);
  }
  return raw as LogLevel;
}

export interface SwapiConfig {
  /** The primary SWAPI, and the mirrors tried in order when it fails (may hold credentials: never log them). */
  baseUrl: string;
  mirrors: string[];
  /** The same URLs, primary first, with credentials masked: safe for logs. */
  safeUrls: string[];
  /** One deadline for a whole request, mirrors included. */
  timeoutMs: number;
  /** How long a fetched page is served from memory; 0 turns the cache off. */
  cacheTtlMs: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

function swapiConfig(env: Env): SwapiConfig {
  const baseUrl = httpUrlVar(env, 'SWAPI_BASE_URL', DEFAULT_SWAPI_BASE_URL);
  const mirrorList = value(env, 'SWAPI_MIRRORS');
  const mirrors =
    mirrorList === undefined ? [] : mirrorList.split(',').map((mirror) => httpUrl('SWAPI_MIRRORS', mirror.trim()));
  return {
    baseUrl,
    mirrors,
    safeUrls: [baseUrl, ...mirrors].map(maskUrlCredentials),
    timeoutMs: integerVar(env, 'SWAPI_TIMEOUT_MS', 5000, 1, 600_000),
    cacheTtlMs: integerVar(env, 'SWAPI_CACHE_TTL_MS', DAY_MS, 0, 30 * DAY_MS),
  };
}

/** An http(s) URL without its trailing slashes; the error message masks any credentials in it. */
function httpUrl(name: string, raw: string): string {
  const protocol = URL.canParse(raw) ? new URL(raw).protocol : undefined;
  if (protocol !== 'http:' && protocol !== 'https:') {
    throw new ConfigError(name, `must be an http(s) URL, got "${maskUrlCredentials(raw)}"`);
  }
  return raw.replace(/\/+$/, '');
}

/** `https://user:secret@host/api` -> `https://****@host/api`: a user name can be a token too. */
export function maskUrlCredentials(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1****@');
}
