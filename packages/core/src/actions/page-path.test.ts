import { describe, expect, it } from 'vitest';
import { DEFAULT_QUERY_ALLOWLIST } from './describe-options.js';
import { pagePath } from './page-path.js';

describe('pagePath', () => {
  it.each([
    ['https://app.acme.io/orgs/acme/projects/42/settings', '/orgs/acme/projects/42/settings'],
    [
      'https://app.acme.io/settings/billing?tab=plans&utm_source=mail&token=abc#top',
      '/settings/billing?tab=plans',
    ],
    ['https://app.acme.io/', '/'],
    ['https://app.acme.io/#/settings/billing?view=cards', '/settings/billing?view=cards'],
    ['https://app.acme.io/users/jane%40example.com/profile', '/users/[email]/profile'],
    ['https://app.acme.io/reset-password/8f14e45fceea167a5a36dedd4bea2543', '/reset-password/[token]'],
    ['https://app.acme.io/search?page=2&q=secret+stuff', '/search?page=2'],
    ['settings/billing', '/settings/billing'],
  ])('%s → %s', (url, expected) => {
    expect(pagePath(url, DEFAULT_QUERY_ALLOWLIST)).toBe(expected);
  });

  it('redacts allowlisted query values too', () => {
    expect(pagePath('/x?tab=jane@example.com', DEFAULT_QUERY_ALLOWLIST)).toBe('/x?tab=[email]');
  });
});
