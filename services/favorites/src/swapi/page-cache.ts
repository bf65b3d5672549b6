export interface PageCacheLimits<T> {
  /** How many pages it holds at most. */
  maxEntries?: number;
  /** How many bytes (by `sizeOf`) its pages add up to at most: a few huge pages can't fill the memory. */
  maxBytes?: number;
  /** A page's size in bytes. */
  sizeOf?: (value: T) => number;
  now?: () => number;
}

/**
 * Pages kept in memory. An entry is fresh for `ttlMs`; after that it is stale but kept, because
 * SWAPI's data never changes and a stale page beats an error when SWAPI is down. The cache holds
 * at most `maxEntries` pages and `maxBytes` bytes, and forgets the least recently used first; a
 * page larger than `maxBytes` alone is not kept. A TTL of 0 turns it off.
 */
export class PageCache<T> {
  private readonly entries = new Map<string, { value: T; storedAt: number; bytes: number }>();
  private totalBytes = 0;
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private readonly sizeOf: (value: T) => number;
  private readonly now: () => number;

  constructor(
    private readonly ttlMs: number,
    { maxEntries = 256, maxBytes = Infinity, sizeOf = () => 0, now = Date.now }: PageCacheLimits<T> = {},
  ) {
    this.maxEntries = maxEntries;
    this.maxBytes = maxBytes;
    this.sizeOf = sizeOf;
    this.now = now;
  }

  get(key: string): { value: T; fresh: boolean } | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    // A Map iterates in insertion order: re-inserting makes this the most recently used.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return { value: entry.value, fresh: this.now() - entry.storedAt < this.ttlMs };
  }

  set(key: string, value: T): void {
    if (this.ttlMs === 0) return;
    this.forget(key);
    const bytes = this.sizeOf(value);
    if (bytes > this.maxBytes) return;
    this.entries.set(key, { value, storedAt: this.now(), bytes });
    this.totalBytes += bytes;
    while (this.entries.size > this.maxEntries || this.totalBytes > this.maxBytes) {
      this.forget(this.entries.keys().next().value as string);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  /** The bytes its pages add up to, by `sizeOf`. */
  get bytes(): number {
    return this.totalBytes;
  }

  private forget(key: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    this.totalBytes -= entry.bytes;
  }
}
