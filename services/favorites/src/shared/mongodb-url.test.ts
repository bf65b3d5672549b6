import { buildMongoUrl, MongoUrlError, readMongoUrl } from './mongodb-url';

// The masking cases, through the variables that carry a URL, are in config.test.ts: this checks the
// module's own contract, which config.ts builds on.
describe('mongodb-url', () => {
  it('reads back the parts it built, IPv6 host and escaped credentials included', () => {
    const url = buildMongoUrl({ host: 'fe80::2', port: 27018, dbName: 'a?b', username: 'u@x', password: 'p:w' });

    expect(url).toBe('mongodb://u%40x:p%3Aw@[fe80::2]:27018/a%3Fb?authSource=admin');
    expect(readMongoUrl(url)).toEqual({
      safeUrl: 'mongodb://u%40x:****@[fe80::2]:27018/a%3Fb?authSource=admin',
      host: 'fe80::2',
      port: 27018,
      dbName: 'a?b',
    });
  });

  it('without a user, builds a URL with no credentials and no authSource', () => {
    const url = buildMongoUrl({ host: 'localhost', port: 27017, dbName: 'swfavorites' });

    expect(url).toBe('mongodb://localhost:27017/swfavorites');
  });

  it('without a database in the path, reads the driver\'s default "test"', () => {
    expect(readMongoUrl('mongodb://db.example').dbName).toBe('test');
  });

  it.each([
    ['http://localhost:27017', /^must start with mongodb:\/\//],
    ['mongodb:///favs', /^must start with mongodb:\/\//],
    ['mongodb://localhost:0/favs', /^has an invalid port "0"$/],
  ])('refuses %s with a MongoUrlError that names no variable', (url, problem) => {
    expect(() => readMongoUrl(url)).toThrow(MongoUrlError);
    expect(() => readMongoUrl(url)).toThrow(problem);
  });
});
