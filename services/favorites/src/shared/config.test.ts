import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, loadDatabaseUserConfig } from './config';

describe('loadConfig', () => {
  it('with an empty environment, uses the documented defaults', () => {
    const config = loadConfig({});

    expect(config).toEqual({
      port: 3000,
      logLevel: 'info',
      shutdownDrainMs: 2000,
      headersTimeoutMs: 10_000,
      publicDiagnosis: true,
      apiToken: undefined,
      allowedHosts: { any: false, names: [], domains: [] },
      mongo: {
        url: 'mongodb://localhost:27017/swfavorites',
        safeUrl: 'mongodb://localhost:27017/swfavorites',
        host: 'localhost',
        port: 27017,
        dbName: 'swfavorites',
        journal: true,
        queryTimeoutMs: 1500,
      },
      swapi: {
        baseUrl: 'https://swapi.dev/api',
        mirrors: [],
        safeUrls: ['https://swapi.dev/api'],
        timeoutMs: 5000,
        cacheTtlMs: 86_400_000,
      },
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('builds the URL from its parts, escaping credentials and masking the password', () => {
    const { mongo } = loadConfig({
      MONGODB_HOST: 'mongodb',
      MONGODB_PORT: '27018',
      MONGODB_DB: 'favs',
      MONGODB_USERNAME: 'root',
      MONGODB_PASSWORD: 'p@ss:word',
    });

    expect(mongo.url).toBe('mongodb://root:p%40ss%3Aword@mongodb:27018/favs?authSource=admin');
    expect(mongo.safeUrl).toBe('mongodb://root:****@mongodb:27018/favs?authSource=admin');
    expect(mongo).toMatchObject({ host: 'mongodb', port: 27018, dbName: 'favs' });
  });

  it('prefers MONGODB_URL over the parts and reads host, port and database from it', () => {
    const { mongo } = loadConfig({
      MONGODB_URL: 'mongodb://u:pw@172.28.0.10:27019/other?retryWrites=false',
      MONGODB_HOST: 'ignored',
    });

    expect(mongo).toEqual({
      url: 'mongodb://u:pw@172.28.0.10:27019/other?retryWrites=false',
      safeUrl: 'mongodb://u:****@172.28.0.10:27019/other?retryWrites=false',
      host: '172.28.0.10',
      port: 27019,
      dbName: 'other',
      journal: true,
      queryTimeoutMs: 1500,
    });
  });

  it('takes the first host of a seed list', () => {
    expect(loadConfig({ MONGODB_URL: 'mongodb://a.example:1,b.example:2/db' }).mongo).toMatchObject({
      host: 'a.example',
      port: 1,
    });
  });

  it('with MONGODB_JOURNAL=false, acknowledges writes without waiting for the journal', () => {
    expect(loadConfig({ MONGODB_JOURNAL: 'false' }).mongo.journal).toBe(false);
  });

  it('reads MONGODB_QUERY_TIMEOUT_MS, the time limit of one query', () => {
    expect(loadConfig({ MONGODB_QUERY_TIMEOUT_MS: '250' }).mongo.queryTimeoutMs).toBe(250);
  });

  it('strips a trailing slash from SWAPI_BASE_URL', () => {
    expect(loadConfig({ SWAPI_BASE_URL: 'http://swapi-stub:8080/api/' }).swapi.baseUrl).toBe(
      'http://swapi-stub:8080/api',
    );
  });

  it.each([
    ['PORT', { PORT: 'abc' }],
    ['PORT', { PORT: '70000' }],
    ['MONGODB_PORT', { MONGODB_PORT: '-1' }],
    ['MONGODB_HOST', { MONGODB_HOST: 'bad host' }],
    ['MONGODB_DB', { MONGODB_DB: 'a/b' }],
    ['MONGODB_PASSWORD', { MONGODB_PASSWORD: 'secret' }],
    ['MONGODB_URL', { MONGODB_URL: 'http://localhost:27017' }],
    ['MONGODB_URL', { MONGODB_URL: 'mongodb://localhost:99999/db' }],
    ['SWAPI_BASE_URL', { SWAPI_BASE_URL: 'ftp://swapi.dev/api' }],
    ['SWAPI_TIMEOUT_MS', { SWAPI_TIMEOUT_MS: '0' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
    ['MONGODB_JOURNAL', { MONGODB_JOURNAL: 'yes' }],
    ['MONGODB_QUERY_TIMEOUT_MS', { MONGODB_QUERY_TIMEOUT_MS: '0' }],
    ['MONGODB_QUERY_TIMEOUT_MS', { MONGODB_QUERY_TIMEOUT_MS: '1.5s' }],
    ['SHUTDOWN_DRAIN_MS', { SHUTDOWN_DRAIN_MS: '60000' }],
  ])('when %s is invalid, throws a ConfigError naming it', (variable, env) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`^${variable} `));
  });

  it('when MONGODB_PORT holds what --link injects for an alias named mongodb, says it came from --link and how to avoid it', () => {
    const env = { MONGODB_HOST: 'mongodb', MONGODB_PORT: 'tcp://172.17.0.2:27017' };

    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(
      /^MONGODB_PORT is "tcp:\/\/172\.17\.0\.2:27017": Docker's legacy --link sets that/,
    );
    expect(() => loadConfig(env)).toThrow(/--link <container>:db with MONGODB_HOST=db/);
  });

  it('never puts the password in the error message', () => {
    expect(() => loadConfig({ MONGODB_PASSWORD: 'hunter2' })).toThrow(
      /^MONGODB_PASSWORD is set but MONGODB_USERNAME is not$/,
    );
  });

  it('with MONGODB_TLS_CA_FILE, connects over TLS trusting that CA, and shows it in safeUrl', () => {
    const { mongo } = loadConfig({
      MONGODB_HOST: 'mongodb',
      MONGODB_USERNAME: 'favorites',
      MONGODB_PASSWORD: 'hunter2',
      MONGODB_TLS_CA_FILE: '/run/tls/ca.pem',
    });

    expect(mongo.url).toBe(
      'mongodb://favorites:hunter2@mongodb:27017/swfavorites?authSource=admin&tls=true&tlsCAFile=%2Frun%2Ftls%2Fca.pem',
    );
    expect(mongo.safeUrl).toBe(
      'mongodb://favorites:****@mongodb:27017/swfavorites?authSource=admin&tls=true&tlsCAFile=%2Frun%2Ftls%2Fca.pem',
    );
    expect(() => loadConfig({ MONGODB_TLS_CA_FILE: 'ca.pem' })).toThrow(
      /^MONGODB_TLS_CA_FILE must be an absolute path, got "ca.pem"$/,
    );
  });

  describe('MONGODB_URL masking', () => {
    it.each([
      [
        '"$&" in the username',
        'mongodb://a$&b:hunter2@db.example/favs',
        'mongodb://a$&b:****@db.example/favs',
        ['hunter2'],
      ],
      [
        '"$\'" in the username',
        "mongodb://a$'b:hunter2@db.example/favs?w=1",
        "mongodb://a$'b:****@db.example/favs?w=1",
        ['hunter2'],
      ],
      [
        '"$&" in the password',
        'mongodb://u:hun$&ter2@db.example/favs',
        'mongodb://u:****@db.example/favs',
        ['hun$&ter2', 'ter2'],
      ],
      [
        '"$\'" in the password',
        "mongodb://u:hun$'ter2@db.example/favs",
        'mongodb://u:****@db.example/favs',
        ["hun$'ter2", 'ter2'],
      ],
      [
        'an unescaped "@" in the password',
        'mongodb://u:hunter2@tail@db.example:27018/favs',
        'mongodb://u:****@db.example:27018/favs',
        ['hunter2', 'tail'],
      ],
      [
        'an unescaped "/" in the password',
        'mongodb://u:hunter2/tail@db.example/favs',
        'mongodb://u:****@db.example/favs',
        ['hunter2', 'tail'],
      ],
      [
        'an unescaped "#" in the password',
        'mongodb://u:hunter2#tail@db.example/favs',
        'mongodb://u:****@db.example/favs',
        ['hunter2', 'tail'],
      ],
      [
        'a password option',
        'mongodb://db.example/favs?password=hunter2&retryWrites=false',
        'mongodb://db.example/favs?password=****&retryWrites=false',
        ['hunter2'],
      ],
      [
        'an AWS session token in authMechanismProperties',
        'mongodb://db.example/favs?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:tok3n',
        'mongodb://db.example/favs?authMechanism=MONGODB-AWS&authMechanismProperties=****',
        ['tok3n'],
      ],
      [
        'a key file password, whatever the case of its name',
        'mongodb://db.example/favs?tls=true&TLSCertificateKeyFilePassword=k3y-pw',
        'mongodb://db.example/favs?tls=true&TLSCertificateKeyFilePassword=****',
        ['k3y-pw'],
      ],
      [
        'an option the driver does not document, carrying a secret',
        'mongodb://db.example/favs?retryWrites=false&vaultAccess=s3cr3t&W=majority',
        'mongodb://db.example/favs?retryWrites=false&vaultAccess=****&W=majority',
        ['s3cr3t'],
      ],
      [
        'a documented option whose name is percent-encoded, and an option with no value',
        'mongodb://db.example/favs?%72eplicaSet=rs0&flag&proxyPassword=pr0xy',
        'mongodb://db.example/favs?%72eplicaSet=rs0&flag&proxyPassword=****',
        ['pr0xy'],
      ],
      [
        'mongodb+srv',
        'mongodb+srv://u:hunter2@cluster0.example.net/favs?retryWrites=true',
        'mongodb+srv://u:****@cluster0.example.net/favs?retryWrites=true',
        ['hunter2'],
      ],
      [
        'a seed list',
        'mongodb://u:hunter2@a.example:1,b.example:2/favs?replicaSet=rs0',
        'mongodb://u:****@a.example:1,b.example:2/favs?replicaSet=rs0',
        ['hunter2'],
      ],
      [
        'IPv6 hosts',
        'mongodb://u:hunter2@tail@[::1]:27018,[fe80::2]/favs',
        'mongodb://u:****@[::1]:27018,[fe80::2]/favs',
        ['hunter2', 'tail'],
      ],
    ])(
      'with %s, safeUrl shows no secret and the driver still gets the URL as written',
      (_case, url, safeUrl, secrets) => {
        const { mongo } = loadConfig({ MONGODB_URL: url });

        expect(mongo.url).toBe(url);
        expect(mongo.safeUrl).toBe(safeUrl);
        for (const secret of secrets) expect(mongo.safeUrl).not.toContain(secret);
      },
    );

    it('when nothing is secret, safeUrl is the URL as written', () => {
      const url = 'mongodb://reader@db.example:27018/favs?authSource=admin&tls=true';

      expect(loadConfig({ MONGODB_URL: url }).mongo.safeUrl).toBe(url);
    });

    it('when the password holds an unescaped "@", reads the host after the last "@"', () => {
      expect(loadConfig({ MONGODB_URL: 'mongodb://u:p@ss@db.example:27018/favs' }).mongo).toMatchObject({
        host: 'db.example',
        port: 27018,
        dbName: 'favs',
      });
    });

    it.each([
      ['mongodb+srv', 'mongodb+srv://u:pw@cluster0.example.net/favs', 'cluster0.example.net', 27017],
      ['an IPv6 seed list', 'mongodb://u:pw@[::1]:27018,[fe80::2]/favs', '::1', 27018],
    ])('with %s, reads the first host and its port', (_case, url, host, port) => {
      expect(loadConfig({ MONGODB_URL: url }).mongo).toMatchObject({ host, port });
    });

    it('when an "@" follows the "?", refuses the URL without echoing it, since a "?" in the password would look like options', () => {
      const env = { MONGODB_URL: 'mongodb://u:123?hunter2@db.example/favs' };

      expect(() => loadConfig(env)).toThrow(/^MONGODB_URL has an "@" after its "\?": percent-encode/);
      expect(() => loadConfig(env)).not.toThrow(/hunter2|123/);
    });
  });

  describe('MONGODB_USERNAME and MONGODB_PASSWORD masking', () => {
    it.each([
      ['"$&" and "$\'"', "a$&b$'c", "pw$&$'x"],
      ['URL delimiters', 'us@er:/?#', 'p@ss:/?#&word'],
    ])(
      'with %s in the username and password, escapes both in url and masks the password in safeUrl',
      (_case, username, password) => {
        const { mongo } = loadConfig({
          MONGODB_HOST: 'db.example',
          MONGODB_USERNAME: username,
          MONGODB_PASSWORD: password,
        });

        const credentials = `${encodeURIComponent(username)}:${encodeURIComponent(password)}`;
        expect(mongo.url).toBe(`mongodb://${credentials}@db.example:27017/swfavorites?authSource=admin`);
        expect(mongo.safeUrl).toBe(
          `mongodb://${encodeURIComponent(username)}:****@db.example:27017/swfavorites?authSource=admin`,
        );
        expect(mongo.safeUrl).not.toContain(encodeURIComponent(password));
      },
    );

    it('escapes MONGODB_DB, so that a "?" or "@" in it cannot start the options or end the credentials', () => {
      const { mongo } = loadConfig({ MONGODB_DB: 'a?b@c', MONGODB_USERNAME: 'u', MONGODB_PASSWORD: 'hunter2' });

      expect(mongo.url).toBe('mongodb://u:hunter2@localhost:27017/a%3Fb%40c?authSource=admin');
      expect(mongo.safeUrl).toBe('mongodb://u:****@localhost:27017/a%3Fb%40c?authSource=admin');
      expect(mongo.dbName).toBe('a?b@c');
    });
  });
});

describe('passwords in files (the Docker secrets way)', () => {
  let dir: string;
  const secretFile = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'config-test-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads MONGODB_PASSWORD_FILE, without its trailing newline, and masks it like any password', () => {
    const { mongo } = loadConfig({
      MONGODB_HOST: 'mongodb',
      MONGODB_USERNAME: 'favorites',
      MONGODB_PASSWORD_FILE: secretFile('pw', 's3cret\n'),
    });

    expect(mongo.url).toBe('mongodb://favorites:s3cret@mongodb:27017/swfavorites?authSource=admin');
    expect(mongo.safeUrl).toBe('mongodb://favorites:****@mongodb:27017/swfavorites?authSource=admin');
  });

  it.each([
    [
      'a missing file',
      () => ({ MONGODB_USERNAME: 'u', MONGODB_PASSWORD_FILE: join(dir, 'absent') }),
      /^MONGODB_PASSWORD_FILE names a file that cannot be read \(ENOENT\)/,
    ],
    [
      'an empty file',
      () => ({ MONGODB_USERNAME: 'u', MONGODB_PASSWORD_FILE: secretFile('empty', '\n') }),
      /^MONGODB_PASSWORD_FILE names an empty file/,
    ],
    [
      'both the variable and the file',
      () => ({ MONGODB_USERNAME: 'u', MONGODB_PASSWORD: 'x', MONGODB_PASSWORD_FILE: secretFile('pw', 'y') }),
      /^MONGODB_PASSWORD and MONGODB_PASSWORD_FILE are both set/,
    ],
  ])('with %s, throws a ConfigError naming the variable', (_case, env, message) => {
    expect(() => loadConfig(env())).toThrow(ConfigError);
    expect(() => loadConfig(env())).toThrow(message);
  });

  it('for the database-user setup, reaches the same server as the administrator and keeps the API user apart', () => {
    const rootPasswordFile = secretFile('root', 'root-pw\n');
    const config = loadDatabaseUserConfig({
      MONGODB_HOST: 'mongodb',
      MONGODB_USERNAME: 'favorites',
      MONGODB_PASSWORD_FILE: secretFile('api', 'api-pw\n'),
      MONGODB_ROOT_USERNAME: 'root',
      MONGODB_ROOT_PASSWORD_FILE: rootPasswordFile,
    });

    expect(config).toEqual({
      username: 'favorites',
      password: 'api-pw',
      dbName: 'swfavorites',
      admin: {
        url: 'mongodb://root:root-pw@mongodb:27017/swfavorites?authSource=admin',
        safeUrl: 'mongodb://root:****@mongodb:27017/swfavorites?authSource=admin',
        host: 'mongodb',
        port: 27017,
        passwordFile: rootPasswordFile,
      },
    });
  });

  it.each(['MONGODB_USERNAME', 'MONGODB_PASSWORD', 'MONGODB_ROOT_USERNAME', 'MONGODB_ROOT_PASSWORD'])(
    'for the database-user setup, requires %s',
    (missing) => {
      const env: Record<string, string> = {
        MONGODB_USERNAME: 'favorites',
        MONGODB_PASSWORD: 'a',
        MONGODB_ROOT_USERNAME: 'root',
        MONGODB_ROOT_PASSWORD: 'b',
      };
      delete env[missing];

      expect(() => loadDatabaseUserConfig(env)).toThrow(new RegExp(`^${missing} is required`));
    },
  );
});

describe('loadConfig: SWAPI mirrors, cache and credentials', () => {
  it('reads SWAPI_MIRRORS as an ordered list of URLs, trimmed and without trailing slashes', () => {
    const { swapi } = loadConfig({ SWAPI_MIRRORS: ' http://mirror-a:8080/api/ ,https://mirror-b.example/api' });

    expect(swapi.mirrors).toEqual(['http://mirror-a:8080/api', 'https://mirror-b.example/api']);
  });

  it('with SWAPI_MIRRORS blank, has no mirrors', () => {
    expect(loadConfig({ SWAPI_MIRRORS: '  ' }).swapi.mirrors).toEqual([]);
  });

  it('reads SWAPI_CACHE_TTL_MS, where 0 turns the cache off', () => {
    expect(loadConfig({ SWAPI_CACHE_TTL_MS: '60000' }).swapi.cacheTtlMs).toBe(60_000);
    expect(loadConfig({ SWAPI_CACHE_TTL_MS: '0' }).swapi.cacheTtlMs).toBe(0);
  });

  it.each([
    ['SWAPI_MIRRORS', { SWAPI_MIRRORS: 'ftp://mirror/api' }],
    ['SWAPI_MIRRORS', { SWAPI_MIRRORS: 'mirror-a' }],
    ['SWAPI_MIRRORS', { SWAPI_MIRRORS: 'http://mirror-a/api,,http://mirror-b/api' }],
    ['SWAPI_CACHE_TTL_MS', { SWAPI_CACHE_TTL_MS: '-1' }],
    ['SWAPI_CACHE_TTL_MS', { SWAPI_CACHE_TTL_MS: '1.5' }],
    ['SWAPI_CACHE_TTL_MS', { SWAPI_CACHE_TTL_MS: '2592000001' }],
  ])('when %s is invalid, throws a ConfigError naming it', (variable, env) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`^${variable} `));
  });

  it('masks credentials in the SWAPI URLs meant for logs, user names included', () => {
    const { swapi } = loadConfig({
      SWAPI_BASE_URL: 'https://user:secret@swapi.example/api',
      SWAPI_MIRRORS: 'http://token@mirror.example/api,http://plain.example/api',
    });

    expect(swapi.baseUrl).toBe('https://user:secret@swapi.example/api');
    expect(swapi.safeUrls).toEqual([
      'https://****@swapi.example/api',
      'http://****@mirror.example/api',
      'http://plain.example/api',
    ]);
  });

  it('never puts SWAPI credentials in the error message', () => {
    expect(() => loadConfig({ SWAPI_MIRRORS: 'ftp://user:secret@mirror/api' })).toThrow(
      /^SWAPI_MIRRORS must be an http\(s\) URL, got "ftp:\/\/\*\*\*\*@mirror\/api"$/,
    );
    expect(() => loadConfig({ SWAPI_BASE_URL: 'ftp://user:secret@swapi/api' })).toThrow(
      /^SWAPI_BASE_URL must be .*"ftp:\/\/\*\*\*\*@swapi\/api"$/,
    );
  });
});

describe('loadConfig: the write token and the allowed hosts', () => {
  const TOKEN = 'a-token-of-24-characters';
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'config-token-'));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads FAVORITES_API_TOKEN, or FAVORITES_API_TOKEN_FILE without its trailing newline', () => {
    const file = join(dir, 'token');
    writeFileSync(file, `${TOKEN}\n`);

    expect(loadConfig({ FAVORITES_API_TOKEN: TOKEN }).apiToken).toBe(TOKEN);
    expect(loadConfig({ FAVORITES_API_TOKEN_FILE: file }).apiToken).toBe(TOKEN);
    expect(loadConfig({ FAVORITES_API_TOKEN: ' ' }).apiToken).toBeUndefined();
  });

  it.each([
    [
      'shorter than 16 characters',
      { FAVORITES_API_TOKEN: 'short' },
      /^FAVORITES_API_TOKEN gives a token of 5 characters/,
    ],
    [
      'with a character a Bearer header cannot carry',
      { FAVORITES_API_TOKEN: 'sixteen chars but "quoted"' },
      /^FAVORITES_API_TOKEN gives a token with characters/,
    ],
    [
      'given twice',
      { FAVORITES_API_TOKEN: TOKEN, FAVORITES_API_TOKEN_FILE: '/nonexistent' },
      /^FAVORITES_API_TOKEN and FAVORITES_API_TOKEN_FILE are both set/,
    ],
  ])('refuses a token %s, never quoting it', (_case, env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
    expect(() => loadConfig(env)).not.toThrow(/quoted|short/);
  });

  it('reads ALLOWED_HOSTS as names, .domains and *', () => {
    expect(loadConfig({ ALLOWED_HOSTS: 'API.example.org., .svc.cluster.local' }).allowedHosts).toEqual({
      any: false,
      names: ['api.example.org'],
      domains: ['svc.cluster.local'],
    });
    expect(loadConfig({ ALLOWED_HOSTS: '*' }).allowedHosts.any).toBe(true);
    expect(() => loadConfig({ ALLOWED_HOSTS: 'http://api.example.org' })).toThrow(/^ALLOWED_HOSTS holds "http:/);
  });
});
