/**
 * A set that holds at most `capacity` values and forgets the least recently used one first. Relies on
 * a `Map` iterating in insertion order: a value seen again is moved to the end.
 */
export class LruSet<Value> {
  private readonly values = new Map<Value, true>();

  constructor(private readonly capacity: number) {}

  /** Whether `value` is held; if so, it becomes the most recently used. */
  has(value: Value): boolean {
    if (!this.values.delete(value)) return false;
    this.values.set(value, true);
    return true;
  }

  add(value: Value): void {
    this.values.delete(value);
    this.values.set(value, true);
    if (this.values.size > this.capacity) {
      const oldest = this.values.keys().next();
      if (!oldest.done) this.values.delete(oldest.value);
    }
  }

  get size(): number {
    return this.values.size;
  }
}
