import { describe, expect, it } from 'vitest';
import type { WorkspaceCaptureKeys } from '../ports/workspace-capture-keys.js';
import { CachedCaptureKeys } from './cached-capture-keys.js';

class CountingKeys implements WorkspaceCaptureKeys {
  lookups = 0;
  constructor(readonly products: Map<string, string>) {}
  async productOfCaptureKey(captureKey: string) {
    this.lookups += 1;
    return this.products.get(captureKey) ?? null;
  }
}

describe('CachedCaptureKeys', () => {
  it('answers a key from memory until its answer is older than the ttl', async () => {
    let now = 1_000;
    const keys = new CountingKeys(new Map([['tlc_a', 'intercom-a']]));
    const cached = new CachedCaptureKeys(keys, { ttlMs: 100, maxEntries: 10, now: () => now });
    expect(await cached.productOfCaptureKey('tlc_a')).toBe('intercom-a');
    expect(await cached.productOfCaptureKey('tlc_a')).toBe('intercom-a');
    expect(keys.lookups).toBe(1);
    keys.products.delete('tlc_a');
    now += 101;
    expect(await cached.productOfCaptureKey('tlc_a')).toBeNull();
    expect(keys.lookups).toBe(2);
  });

  it('remembers unknown keys as none, and never holds more than maxEntries answers', async () => {
    const keys = new CountingKeys(new Map([['tlc_a', 'intercom-a']]));
    const cached = new CachedCaptureKeys(keys, { ttlMs: 60_000, maxEntries: 3, now: () => 0 });
    expect(await cached.productOfCaptureKey('made-up')).toBeNull();
    expect(await cached.productOfCaptureKey('made-up')).toBeNull();
    expect(keys.lookups).toBe(1);
    for (const key of ['x1', 'x2', 'x3', 'x4']) await cached.productOfCaptureKey(key);
    // The fourth new key started the cache over: `made-up` is asked again.
    await cached.productOfCaptureKey('made-up');
    expect(keys.lookups).toBe(6);
    expect(await cached.productOfCaptureKey('tlc_a')).toBe('intercom-a');
  });
});
