import { describe, expect, it } from 'vitest';
import { cleanText } from './clean-text.js';
import { describeEvent } from './describe-event.js';
import { defangLinks, stripInvisible } from './inert-text.js';

describe('stripInvisible', () => {
  it('removes bidi overrides and isolates, zero-width characters, the BOM and tag characters', () => {
    const hidden =
      'Pay\u202Eyadot\u202C\u2066x\u2069\u200B\u200C\u200D\u2060\uFEFF\u00AD now\u{E0049}\u{E0067}';
    expect(stripInvisible(hidden)).toBe('Payyadotx now');
    expect(stripInvisible('Café ünïcode 日本語 🙂')).toBe('Café ünïcode 日本語 🙂');
  });
});

describe('defangLinks', () => {
  it('breaks schemes and host dots so no auto-linker makes a link', () => {
    expect(defangLinks('Go to https://evil.example/login?x=1 now')).toBe(
      'Go to hxxps://evil[.]example/login?x=1 now',
    );
    expect(defangLinks('HTTP://a.b.example and ftp://files.example')).toBe(
      'HxxP://a[.]b[.]example and fxp://files[.]example',
    );
    expect(defangLinks('see www.evil.example or support-help.com/reset')).toBe(
      'see www[.]evil[.]example or support-help[.]com/reset',
    );
    expect(defangLinks('[Click here](https://evil.example)')).toBe('[Click here](hxxps://evil[.]example)');
  });

  it('leaves paths, file names and versions alone, and is idempotent', () => {
    for (const text of ['Viewed Billing (/billing)', 'Uploaded invoice.pdf', 'Node.js v1.2.3', 'e.g. this']) {
      expect(defangLinks(text)).toBe(text);
    }
    const once = defangLinks('https://evil.example/x www.a.io b.com');
    expect(defangLinks(once)).toBe(once);
  });

  it('finds bare hosts in one pass: a full stop is not part of them, and a long dotted run is cheap', () => {
    expect(defangLinks('Write to evil.com. Or shop.example.co.uk, (x.io)')).toBe(
      'Write to evil[.]com. Or shop[.]example[.]co[.]uk, (x[.]io)',
    );
    expect(defangLinks('a..com and .com and com.')).toBe('a..com and .com and com.');
    // 100 KB of labels with no linkable ending: untouched (a pattern retried at every label would
    // take seconds here).
    const run = 'a.'.repeat(50_000);
    expect(defangLinks(run)).toBe(run);
  });
});

describe('product text in stored actions', () => {
  it('is stripped of invisible characters before redaction, so they hide nothing from it', () => {
    const cleaned = cleanText('mail j\u200Bane@example.com \u202Eevil', 200);
    expect(cleaned).not.toMatch(/\p{Cf}/u);
    expect(cleaned).not.toContain('jane@example.com');
    expect(cleaned).not.toContain('j\u200Bane');
  });

  it('arrives in the action without bidi tricks or live links', () => {
    const action = describeEvent({
      event: '$autocapture',
      distinctId: 'u',
      timestamp: new Date('2026-01-01T00:00:00Z'),
      properties: {
        $event_type: 'click',
        $pathname: '/help%E2%80%AE',
        $elements_chain: 'button:text="Reset at https://evil.example/\u202Enigol"nth-child="1"',
      },
    });
    expect(action?.description).toBe('Clicked "Reset at hxxps://evil[.]example/nigol" button on /help');
    expect(action?.page).toBe('/help');
  });
});
