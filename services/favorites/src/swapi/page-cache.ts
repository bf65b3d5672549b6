/**
 * Pages kept in memory. An entry is fresh for `ttlMs`; after that it is stale but kept, because
 * SWAPI's data never changes and a stale page beats an error when SWAPI is down. The cache holds
 * at most `maxEntries` pages and forgets the least recently used first. A TTL of 0 turns it off.
 */
export class PageCache<T> {
  private readonly entries = new Map<string, { value: T; storedAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 256,
    private readonly now: () => number = Date.now,
  ) {}

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
    this.entries.delete(key);
    this.entries.set(key, { value, storedAt: this.now() });
    if (this.entries.size > this.maxEntries) {
      this.entries.delete(this.entries.keys().next().value as string);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
