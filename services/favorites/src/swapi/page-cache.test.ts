import { PageCache } from './page-cache';

describe('PageCache', () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => {
    now = 1_000;
  });

  it('returns a page as fresh within the TTL, and as stale (still there) after it', () => {
    const cache = new PageCache<string>(100, 10, clock);
    cache.set('films', 'page');

    now += 99;
    expect(cache.get('films')).toEqual({ value: 'page', fresh: true });
    now += 1;
    expect(cache.get('films')).toEqual({ value: 'page', fresh: false });
  });

  it('with a TTL of 0, keeps nothing', () => {
    const cache = new PageCache<string>(0, 10, clock);
    cache.set('films', 'page');

    expect(cache.get('films')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('when full, forgets the least recently used page first', () => {
    const cache = new PageCache<string>(100, 2, clock);
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
    const cache = new PageCache<string>(100, 10, clock);
    cache.set('films', 'old');
    now += 500;
    cache.set('films', 'new');

    expect(cache.get('films')).toEqual({ value: 'new', fresh: true });
  });
});
