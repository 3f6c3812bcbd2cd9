import { describe, expect, it } from 'vitest';
import type { CapturedEvent } from './action.js';
import { identifiedEmail } from './identified-email.js';

const event = (name: string, properties: Record<string, unknown>): CapturedEvent => ({
  event: name,
  distinctId: 'u1',
  timestamp: new Date(),
  properties,
});

describe('identifiedEmail', () => {
  it('reads $set.email, $set_once.email and an identify email, normalised', () => {
    expect(identifiedEmail(event('$identify', { $set: { email: ' Sam@Example.COM ' } }))).toBe(
      'sam@example.com',
    );
    expect(identifiedEmail(event('$set', { $set_once: { email: 'a@b.io' } }))).toBe('a@b.io');
    expect(identifiedEmail(event('$identify', { email: 'c@d.org' }))).toBe('c@d.org');
  });

  it('ignores what is not an email, and emails on ordinary events', () => {
    expect(identifiedEmail(event('$identify', { $set: { email: 'not an email' } }))).toBeNull();
    expect(identifiedEmail(event('$pageview', { email: 'c@d.org' }))).toBeNull();
    expect(identifiedEmail(event('$identify', { $set: 'x' }))).toBeNull();
  });
});
