// MongoDB connection strings: built from parts, read back into host, port and database, and masked
// for logs. Text only, no driver: config.ts uses it, and shared/ imports nothing of db/.

/** A connection string this module refuses; config.ts names the variable it came from. */
export class MongoUrlError extends Error {
  constructor(problem: string) {
    super(problem);
    this.name = 'MongoUrlError';
  }
}

/** What a connection string says about its target, and the string itself with its secrets masked. */
export interface MongoUrlTarget {
  /** The URL with the password and every option value outside a known safe list replaced by "****": safe for logs and /readyz. */
  safeUrl: string;
  /** The first host of the seed list, and its port (27017 for mongodb+srv, whose port comes from DNS). */
  host: string;
  port: number;
  /** The database in the path, decoded; "test" when there is none, as the driver has it. */
  dbName: string;
}

export interface MongoUrlParts {
  host: string;
  port: number;
  dbName: string;
  username?: string;
  password?: string;
  /** When set, TLS, trusting the CA in this file. */
  tlsCAFile?: string;
}

/** The connection string of these parts, each one escaped so that the URL parses back into exactly them. */
export function buildMongoUrl({ host, port, dbName, username, password, tlsCAFile }: MongoUrlParts): string {
  const hostPart = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  const credentials =
    username === undefined
      ? ''
      : `${encodeURIComponent(username)}${password === undefined ? '' : `:${encodeURIComponent(password)}`}@`;
  // Users created through the official image's MONGO_INITDB_ROOT_* live in the admin database.
  const options = [
    ...(username === undefined ? [] : ['authSource=admin']),
    ...(tlsCAFile === undefined ? [] : ['tls=true', `tlsCAFile=${encodeURIComponent(tlsCAFile)}`]),
  ];
  const query = options.length === 0 ? '' : `?${options.join('&')}`;
  return `mongodb://${credentials}${hostPart}:${port}/${encodeURIComponent(dbName)}${query}`;
}

/** Reads a connection string as written; throws a MongoUrlError when it is not one. */
export function readMongoUrl(url: string): MongoUrlTarget {
  const parts = splitMongoUrl(url);
  const first = parts.hosts.split(',')[0];
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(first);
  const [host, portText] = bracketed ? [bracketed[1], bracketed[2]] : first.split(':');
  const port = portText === undefined ? 27017 : Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new MongoUrlError(`has an invalid port "${portText}"`);
  }
  return {
    safeUrl: safeMongoUrl(parts),
    host,
    port: parts.scheme === 'mongodb+srv' ? 27017 : port,
    dbName: decodeURIComponent(parts.path || 'test'),
  };
}

/** A connection string cut into its parts, as written (nothing decoded). */
interface UrlText {
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

function splitMongoUrl(url: string): UrlText {
  const match = /^(mongodb(?:\+srv)?):\/\/([^?]*)(?:\?([\s\S]*))?$/.exec(url);
  if (!match) throw new MongoUrlError(NOT_A_MONGO_URL);
  const [, scheme, beforeQuery, query] = match;
  // A "?" in a password would make the password's end look like options, and its start like a host.
  // Its "@" then follows the "?", so refusing any "@" there rules that case out.
  if (query?.includes('@')) {
    throw new MongoUrlError(
      'has an "@" after its "?": percent-encode "?" in the password as %3F and "@" in options as %40',
    );
  }
  // The credentials end at the LAST "@", so an unescaped "@", "/" or "#" in a password stays inside them.
  const at = beforeQuery.lastIndexOf('@');
  const afterCredentials = beforeQuery.slice(at + 1);
  const slash = afterCredentials.indexOf('/');
  const hosts = slash === -1 ? afterCredentials : afterCredentials.slice(0, slash);
  if (hosts === '') throw new MongoUrlError(NOT_A_MONGO_URL);
  return {
    scheme,
    credentials: at === -1 ? undefined : beforeQuery.slice(0, at),
    hosts,
    path: slash === -1 ? undefined : afterCredentials.slice(slash + 1),
    query,
  };
}

// The options shown as written: the driver's documented ones that never hold a secret (names
// compared in lower case, as the driver reads them). Any other value is masked, so an option
// added later, misspelt, or meant for something else never prints what it carries.
const SAFE_OPTIONS = new Set(
  [
    'appName',
    'authMechanism',
    'authSource',
    'compressors',
    'connectTimeoutMS',
    'directConnection',
    'heartbeatFrequencyMS',
    'journal',
    'loadBalanced',
    'localThresholdMS',
    'maxConnecting',
    'maxIdleTimeMS',
    'maxPoolSize',
    'maxStalenessSeconds',
    'minPoolSize',
    'readConcernLevel',
    'readPreference',
    'readPreferenceTags',
    'replicaSet',
    'retryReads',
    'retryWrites',
    'serverMonitoringMode',
    'serverSelectionTimeoutMS',
    'socketTimeoutMS',
    'srvMaxHosts',
    'srvServiceName',
    'ssl',
    'timeoutMS',
    'tls',
    'tlsAllowInvalidCertificates',
    'tlsAllowInvalidHostnames',
    'tlsCAFile',
    'tlsCertificateKeyFile',
    'tlsInsecure',
    'w',
    'waitQueueTimeoutMS',
    'wtimeoutMS',
    'zlibCompressionLevel',
  ].map((name) => name.toLowerCase()),
);

/** The URL rebuilt from its parts (never by editing the text), with the secrets replaced by "****". */
function safeMongoUrl({ scheme, credentials, hosts, path, query }: UrlText): string {
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
    return !SAFE_OPTIONS.has(decodeURIComponent(rawName).toLowerCase());
  } catch {
    return true; // an undecodable name might spell a secret one: mask it
  }
}
