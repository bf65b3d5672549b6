// The one place that reads process.env: every setting is validated once, at startup.
import { readFileSync } from 'node:fs';

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
  admin: Pick<MongoConfig, 'url' | 'safeUrl' | 'host' | 'port'>;
}

/** Reads the API's connection settings and the administrator's credentials; both must be complete. */
export function loadDatabaseUserConfig(env: Env = process.env): DatabaseUserConfig {
  const required = (name: string, read: (env: Env, name: string) => string | undefined) => {
    const found = read(env, name);
    if (found === undefined) throw new ConfigError(name, `is required${name.endsWith('PASSWORD') ? ` (or ${name}_FILE)` : ''}`);
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
  return { username, password, dbName, admin: { url, safeUrl, host, port } };
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

  const hostPart = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  // Every part is escaped, so the URL parses back into exactly these parts; safeUrl is then built
  // the same way as for MONGODB_URL, from the parts, never by editing the text.
  const credentials =
    username === undefined ? '' : `${encodeURIComponent(username)}${password === undefined ? '' : `:${encodeURIComponent(password)}`}@`;
  // Users created through the official image's MONGO_INITDB_ROOT_* live in the admin database.
  const query = username === undefined ? '' : '?authSource=admin';
  const url = `mongodb://${credentials}${hostPart}:${port}/${encodeURIComponent(dbName)}${query}`;
  return { url, safeUrl: safeMongoUrl(parseMongoUrl(url)), host, port, dbName };
}

function fromUrl(url: string): Omit<MongoConfig, 'journal' | 'queryTimeoutMs'> {
  const parts = parseMongoUrl(url);
  const first = parts.hosts.split(',')[0];
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(first);
  const [host, portText] = bracketed ? [bracketed[1], bracketed[2]] : first.split(':');
  const port = portText === undefined ? 27017 : Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ConfigError('MONGODB_URL', `has an invalid port "${portText}"`);
  }
  return {
    url,
    safeUrl: safeMongoUrl(parts),
    host,
    port: parts.scheme === 'mongodb+srv' ? 27017 : port,
    dbName: decodeURIComponent(parts.path || 'test'),
  };
}

/** A connection string cut into its parts, as written (nothing decoded). */
interface MongoUrlParts {
  scheme: string;
  /** "user" or "user:password", when the URL has an "@". */
  credentials?: string;
  /** One host, or a seed list "h1:1,h2:2" (WHATWG URL cannot parse those). */
  hosts: string;
  /** The database name; undefined when the URL has no "/" after the hosts. */
  path?: string;
  /** The options after "?", when there is one. */
  query?: string;
}

const NOT_A_MONGO_URL = 'must start with mongodb:// or mongodb+srv:// and name a host';

function parseMongoUrl(url: string): MongoUrlParts {
  const match = /^(mongodb(?:\+srv)?):\/\/([^?]*)(?:\?([\s\S]*))?$/.exec(url);
  if (!match) throw new ConfigError('MONGODB_URL', NOT_A_MONGO_URL);
  const [, scheme, beforeQuery, query] = match;
  // A "?" in a password would make the password's end look like options, and its start like a host.
  // Its "@" then follows the "?", so refusing any "@" there rules that case out.
  if (query?.includes('@')) {
    throw new ConfigError('MONGODB_URL', 'has an "@" after its "?": percent-encode "?" in the password as %3F and "@" in options as %40');
  }
  // The credentials end at the LAST "@", so an unescaped "@", "/" or "#" in a password stays inside them.
  const at = beforeQuery.lastIndexOf('@');
  const afterCredentials = beforeQuery.slice(at + 1);
  const slash = afterCredentials.indexOf('/');
  const hosts = slash === -1 ? afterCredentials : afterCredentials.slice(0, slash);
  if (hosts === '') throw new ConfigError('MONGODB_URL', NOT_A_MONGO_URL);
  return {
    scheme,
    credentials: at === -1 ? undefined : beforeQuery.slice(0, at),
    hosts,
    path: slash === -1 ? undefined : afterCredentials.slice(slash + 1),
    query,
  };
}

// Options whose values can hold secrets: passwords, and authMechanismProperties, which can carry an
// AWS session token. Over-masking a key file's path is a fair price for never printing a key.
const SECRET_OPTION = /pass|pwd|secret|token|credential|mechanismproperties|key$/i;

/** The URL rebuilt from its parts, with the password and secret option values replaced by "****". */
function safeMongoUrl({ scheme, credentials, hosts, path, query }: MongoUrlParts): string {
  const userinfo = credentials === undefined ? '' : `${maskPassword(credentials)}@`;
  const options = query?.split('&').map(maskOption).join('&');
  return `${scheme}://${userinfo}${hosts}${path === undefined ? '' : `/${path}`}${options === undefined ? '' : `?${options}`}`;
}

/** "user:password" -> "user:****"; a user name alone is kept. */
function maskPassword(credentials: string): string {
  const colon = credentials.indexOf(':');
  return colon === -1 ? credentials : `${credentials.slice(0, colon)}:****`;
}

function maskOption(option: string): string {
  const equals = option.indexOf('=');
  if (equals === -1) return option;
  const name = option.slice(0, equals);
  return isSecretOption(name) ? `${name}=****` : option;
}

function isSecretOption(rawName: string): boolean {
  try {
    return SECRET_OPTION.test(decodeURIComponent(rawName));
  } catch {
    return true; // an undecodable name might spell a secret one: mask it
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
    throw new ConfigError(`${name}_FILE`, `names a file that cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}): ${file}`);
  }
  const secret = text.replace(/\r?\n$/, '');
  if (secret === '') throw new ConfigError(`${name}_FILE`, `names an empty file: ${file}`);
  return secret;
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
  const mirrors = mirrorList === undefined ? [] : mirrorList.split(',').map((mirror) => httpUrl('SWAPI_MIRRORS', mirror.trim()));
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
