import { describe, expect, it } from 'vitest';
import { humanizeEventName } from './humanize-event-name.js';

describe('humanizeEventName', () => {
  it.each([
    ['checkout_failed', 'Checkout failed'],
    ['Checkout Failed', 'Checkout failed'],
    ['checkoutFailed', 'Checkout failed'],
    ['user.signed-up', 'User signed up'],
    ['API Key Created', 'API key created'],
    ['exported CSV', 'Exported CSV'],
  ])('%s → %s', (name, expected) => {
    expect(humanizeEventName(name)).toBe(expected);
  });
});
