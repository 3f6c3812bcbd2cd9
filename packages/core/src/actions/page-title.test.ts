import { describe, expect, it } from 'vitest';
import { pageTitle } from './page-title.js';

describe('pageTitle', () => {
  it.each([
    ['Billing | Acme', 'Billing'],
    ['Invoices – Billing — Acme', 'Invoices – Billing'],
    ['Payment issues · Help center - Acme', 'Payment issues · Help center'],
    ['a - - b', 'a'],
    ['No separator here', 'No separator here'],
    ['| Acme', '| Acme'],
    ['Well-known-page', 'Well-known-page'],
  ])('%s → %s', (title, expected) => {
    expect(pageTitle(title)).toBe(expected);
  });

  it('keeps the part before the last separator of a long run of separators', () => {
    expect(pageTitle(`Home${' - x'.repeat(5000)}`)).toMatch(/^Home - x - x/);
  });
});
