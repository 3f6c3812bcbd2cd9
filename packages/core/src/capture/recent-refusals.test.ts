import { describe, expect, it } from 'vitest';
import { RecentRefusals } from './recent-refusals.js';

describe('RecentRefusals', () => {
  it('repeats a refusal with the time left until it ends, then forgets it; bounded in size', () => {
    let now = 1000;
    const refusals = new RecentRefusals(2, () => now);
    refusals.remember('a', { isAllowed: false, reason: 'ip_events', retryAfterMs: 5000 });
    now += 2000;
    expect(refusals.standing('a')).toEqual({ isAllowed: false, reason: 'ip_events', retryAfterMs: 3000 });
    expect(refusals.standing('b')).toBeNull();
    now += 3000;
    expect(refusals.standing('a')).toBeNull();

    refusals.remember('a', { isAllowed: false, reason: 'ip_events', retryAfterMs: 5000 });
    refusals.remember('b', { isAllowed: false, reason: 'ip_new_users', retryAfterMs: 5000 });
    refusals.remember('c', { isAllowed: false, reason: 'ip_events', retryAfterMs: 5000 });
    expect(refusals.standing('a')).toBeNull();
    expect(refusals.standing('b')).toMatchObject({ reason: 'ip_new_users' });
    expect(refusals.standing('c')).toMatchObject({ reason: 'ip_events' });
  });
});
