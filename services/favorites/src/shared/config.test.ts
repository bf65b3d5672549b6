import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('with an empty environment, uses the documented defaults', () => {
    const config = loadConfig({});

    expect(config).toEqual({
      port: 3000,
      logLevel: 'info',
      mongo: {
        url: 'mongodb://localhost:27017/swfavorites',
        safeUrl: 'mongodb://localhost:27017/swfavorites',
        host: 'localhost',
        port: 27017,
        dbName: 'swfavorites',
      },
      swapi: { baseUrl: 'https://swapi.dev/api', timeoutMs: 5000 },
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
    const { mongo } = loadConfig({ MONGODB_URL: 'mongodb://u:pw@172.28.0.10:27019/other?retryWrites=false', MONGODB_HOST: 'ignored' });

    expect(mongo).toEqual({
      url: 'mongodb://u:pw@172.28.0.10:27019/other?retryWrites=false',
      safeUrl: 'mongodb://u:****@172.28.0.10:27019/other?retryWrites=false',
      host: '172.28.0.10',
      port: 27019,
      dbName: 'other',
    });
  });

  it('takes the first host of a seed list', () => {
    expect(loadConfig({ MONGODB_URL: 'mongodb://a.example:1,b.example:2/db' }).mongo).toMatchObject({ host: 'a.example', port: 1 });
  });

  it('strips a trailing slash from SWAPI_BASE_URL', () => {
    expect(loadConfig({ SWAPI_BASE_URL: 'http://swapi-stub:8080/api/' }).swapi.baseUrl).toBe('http://swapi-stub:8080/api');
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
  ])('when %s is invalid, throws a ConfigError naming it', (variable, env) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`^${variable} `));
  });

  it('never puts the password in the error message', () => {
    expect(() => loadConfig({ MONGODB_PASSWORD: 'hunter2' })).toThrow(/^MONGODB_PASSWORD is set but MONGODB_USERNAME is not$/);
  });
});
