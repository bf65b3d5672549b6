import { PageCache } from './page-cache';

describe('PageCache', () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => {
    now = 1_000;
  });

  it('returns a page as fresh within the TTL, and as stale (still there) after it', () => {
    const cache = new PageCache<string>(100, { maxEntries: 10, now: clock });
    cache.set('films', 'page');

    now += 99;
    expect(cache.get('films')).toEqual({ value: 'page', fresh: true });
    now += 1;
    expect(cache.get('films')).toEqual({ value: 'page', fresh: false });
  });

  it('with a TTL of 0, keeps nothing', () => {
    const cache = new PageCache<string>(0, { maxEntries: 10, now: clock });
    cache.set('films', 'page');

    expect(cache.get('films')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('when full, forgets the least recently used page first', () => {
    const cache = new PageCache<string>(100, { maxEntries: 2, now: clock });
    cache.set('a', 'A');
    cache.set('b', 'B');
    cache.get('a');
    cache.set('c', 'C');

    expect(cache.size).toBe(2);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')?.value).toBe('A');
    expect(cache.get('c')?.value).toBe('C');
  });

  it('storing a page again makes it fresh again', () => {
    const cache = new PageCache<string>(100, { maxEntries: 10, now: clock });
    cache.set('films', 'old');
    now += 500;
    cache.set('films', 'new');

    expect(cache.get('films')).toEqual({ value: 'new', fresh: true });
  });

  describe('bounded in bytes', () => {
    const bySize = (maxBytes: number) =>
      new PageCache<string>(100, { maxEntries: 10, maxBytes, sizeOf: (page) => page.length, now: clock });

    it('when a new page would pass maxBytes, forgets the least recently used pages until it fits', () => {
      const cache = bySize(10);
      cache.set('a', 'AAAA');
      cache.set('b', 'BBBB');
      cache.get('a');
      cache.set('c', 'CCCCC');

      expect(cache.bytes).toBe(9);
      expect(cache.get('b')).toBeUndefined();
      expect(cache.get('a')?.value).toBe('AAAA');
      expect(cache.get('c')?.value).toBe('CCCCC');
    });

    it('keeps no page larger than maxBytes alone, and drops the copy it had under that key', () => {
      const cache = bySize(10);
      cache.set('a', 'AAAA');
      cache.set('a', 'A'.repeat(11));

      expect(cache.get('a')).toBeUndefined();
      expect(cache).toMatchObject({ size: 0, bytes: 0 });
    });

    it('150 pages of 1 MB stay within 8 MB, the most recent ones kept', () => {
      const MB = 1024 * 1024;
      const cache = new PageCache<{ mb: number }>(100, {
        maxEntries: 256,
        maxBytes: 8 * MB,
        sizeOf: () => MB,
        now: clock,
      });
      for (let page = 1; page <= 150; page++) cache.set(`people/${page}`, { mb: page });

      expect(cache).toMatchObject({ size: 8, bytes: 8 * MB });
      expect(cache.get('people/150')?.value).toEqual({ mb: 150 });
      expect(cache.get('people/142')).toBeUndefined();
    });
  });
});
