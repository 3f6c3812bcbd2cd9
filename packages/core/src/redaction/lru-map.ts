/**
 * A bounded map that forgets what has not been used for a while, the way `quick-lru` does: entries
 * live in a recent and an older generation; when the recent one is full, the older one is dropped
 * and the recent one takes its place. A hit costs one lookup, and at most `2 × capacity` entries are
 * held.
 */
export class LruMap<Key, Value> {
  private recent = new Map<Key, Value>();
  private older = new Map<Key, Value>();

  constructor(private readonly capacity: number) {}

  /** The value of `key`, or undefined; a value found in the older generation moves to the recent one. */
  get(key: Key): Value | undefined {
    const value = this.recent.get(key);
    if (value !== undefined) return value;
    const old = this.older.get(key);
    if (old !== undefined) {
      this.older.delete(key);
      this.set(key, old);
    }
    return old;
  }

  set(key: Key, value: Value): void {
    this.recent.set(key, value);
    if (this.recent.size >= this.capacity) {
      this.older = this.recent;
      this.recent = new Map();
    }
  }

  /** How many entries are held, in both generations. */
  get size(): number {
    return this.recent.size + this.older.size;
  }
}
