import type { SwapiConfig } from '../shared/config';
import { fetchWithFailover } from './failover';
import { isUpstreamFailure, type SwapiPage, type SwapiRequest } from './fetch-page';
import { PageCache } from './page-cache';

export type { SwapiPage } from './fetch-page';

/** Where a page came from: the cache (`hit`), SWAPI (`miss`), or the cache because SWAPI failed (`stale`). */
export type CacheStatus = 'hit' | 'miss' | 'stale';

export interface SwapiResult {
  page: SwapiPage;
  cache: CacheStatus;
}

export interface SwapiClient {
  films(): Promise<SwapiResult>;
  people(page?: number): Promise<SwapiResult>;
}

// SWAPI's whole data set is well under 1 MB, and a page over 1 MB is refused (fetch-page.ts): 8 MB
// of pages keeps all of it, while upstream pages near the cap can't take the process past its limit.
const CACHE_MAX_BYTES = 8 * 1024 * 1024;

/** A page's size as its JSON text: the parsed copy in memory is a small multiple of it. */
const pageBytes = (page: SwapiPage): number => Buffer.byteLength(JSON.stringify(page));

export type SwapiOptions = Pick<SwapiConfig, 'baseUrl' | 'mirrors' | 'timeoutMs' | 'cacheTtlMs'>;

export function createSwapiClient(options: SwapiOptions): SwapiClient {
  const upstreams = [options.baseUrl, ...options.mirrors];
  const cache = new PageCache<SwapiPage>(options.cacheTtlMs, { maxBytes: CACHE_MAX_BYTES, sizeOf: pageBytes });
  // Requests that missed the cache and are on their way, so that concurrent misses share one.
  const inFlight = new Map<string, Promise<SwapiPage>>();

  const fetchShared = (key: string, request: SwapiRequest): Promise<SwapiPage> => {
    let pending = inFlight.get(key);
    if (pending === undefined) {
      pending = fetchWithFailover(upstreams, request, options.timeoutMs)
        .then((page) => {
          cache.set(key, page);
          return page;
        })
        .finally(() => inFlight.delete(key));
      inFlight.set(key, pending);
    }
    return pending;
  };

  const get = async (request: SwapiRequest): Promise<SwapiResult> => {
    const key = `${request.path}${JSON.stringify(request.params)}`;
    const cached = cache.get(key);
    if (cached?.fresh) return { page: cached.value, cache: 'hit' };
    try {
      return { page: await fetchShared(key, request), cache: 'miss' };
    } catch (error) {
      if (cached && isUpstreamFailure(error)) return { page: cached.value, cache: 'stale' };
      throw error;
    }
  };

  return {
    films: () => get({ path: 'films/', params: {}, what: 'films' }),
    people: (page) => get({ path: 'people/', params: page === undefined ? {} : { page }, what: 'people' }),
  };
}
