import { describe, expect, it } from 'vitest';
import { LruMap } from './lru-map.js';

describe('LruMap', () => {
  it('keeps what is used and never holds more than twice its capacity', () => {
    const map = new LruMap<string, number>(3);
    map.set('kept', 0);
    for (let index = 0; index < 100; index++) {
      map.set(`key-${index}`, index);
      expect(map.get('kept')).toBe(0);
      expect(map.size).toBeLessThanOrEqual(6);
    }
    expect(map.get('key-99')).toBe(99);
    expect(map.get('key-0')).toBeUndefined();
  });
});
