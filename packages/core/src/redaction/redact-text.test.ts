import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_REDACTION_INPUT_LENGTH, redactText } from './redact-text.js';
import {
  apiKeyArbitrary,
  benignTextArbitrary,
  cardArbitrary,
  emailArbitrary,
  ibanArbitrary,
  ipArbitrary,
  jwtArbitrary,
  phoneArbitrary,
} from './secret-arbitraries.test-support.js';

describe('redactText: each kind of secret', () => {
  it.each([
    ['Contact jane.doe@example.com today', 'Contact [email] today'],
    ['Card 4111 1111 1111 1111 declined', 'Card [card] declined'],
    ['Card 4111-1111-1111-1111', 'Card [card]'],
    ['Card 4012888888881881', 'Card [card]'],
    ['Amex 3782 822463 10005', 'Amex [card]'],
    ['Call +1 (415) 555-0132', 'Call [phone]'],
    ['Call +44 20 7946 0958 now', 'Call [phone] now'],
    ['Office 020 7946 0958', 'Office [phone]'],
    ['US (212) 555-0198', 'US [phone]'],
    ['US 212-555-0198', 'US [phone]'],
    ['phone: 5551234567', 'phone: [phone]'],
    ['Pay DE89 3704 0044 0532 0130 00', 'Pay [iban]'],
    ['Pay GB82WEST12345698765432', 'Pay [iban]'],
    ['SSN 123-45-6789', 'SSN [ssn]'],
    ['t=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abcDEF123_-x', 't=[jwt]'],
    ['Authorization: Bearer abc123def456', 'Authorization: Bearer [token]'],
    ['Basic dXNlcjpwYXNzd29yZA==', 'Basic [token]'],
    ['key sk_live_4eC39HqLyjWDarjtT1zdp7dc', 'key [secret]'],
    ['AKIAIOSFODNN7EXAMPLE', '[secret]'],
    ['xoxb-1234567890-abcdefghij', '[secret]'],
    ['sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z', '[secret]'],
    ['hash 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b', 'hash [secret]'],
    ['cookie dGhpc0lzQVNlY3JldEtleVdpdGhNaXhlZENhc2UxMjM0NQ==', 'cookie [secret]'],
    ['/login?next=/home&token=abc123&tab=billing', '/login?next=/home&token=[secret]&tab=billing'],
    ['/cb?code=4/0AX4Xf&state=xyz', '/cb?code=[secret]&state=[secret]'],
    ['?X-Amz-Signature=c0ffee&X-Amz-Expires=3600', '?X-Amz-Signature=[secret]&X-Amz-Expires=3600'],
    ['https://admin:hunter2@db.example.com/x', 'https://[secret]@db.example.com/x'],
    ['/reset-password/8f14e45fceea167a5a36dedd4bea2543', '/reset-password/[token]'],
    ['/magic-link/Xk29dLq0AbCd', '/magic-link/[token]'],
    ['from 192.168.1.24 and 10.0.0.1:8080', 'from [ip] and [ip]:8080'],
    ['client 2001:db8::8a2e:370:7334', 'client [ip]'],
    ['loopback ::1 seen', 'loopback [ip] seen'],
    ['Contact jöhn.dœ@exämple.com', 'Contact [email]'],
    ['Email john\u200b@example.com', 'Email [email]'],
    ['Card 4111.1111.1111.1111', 'Card [card]'],
    ['Card 4111_1111_1111_1111', 'Card [card]'],
    ['Card 4111/1111/1111/1111', 'Card [card]'],
    ['Card ４１１１ １１１１ １１１１ １１１１', 'Card [card]'],
    ['Card ٤١١١١١١١١١١١١١١١', 'Card [card]'],
    ['password: hunter2.', 'password: [secret].'],
    ['pwd: "correct horse"', 'pwd: "[secret]"'],
    ['(pwd=x1)', '(pwd=[secret])'],
    ['?user=bob&pw=abc', '?user=bob&pw=[secret]'],
    ['Authorization: Token abcdefghij1234567890', 'Authorization: Token [token]'],
    ['t=token-eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abcDEF123_-x', 't=token-[jwt]'],
    ['Order ４２, mail a@b.co', 'Order 42, mail [email]'],
  ])('%s', (input, expected) => {
    expect(redactText(input)).toBe(expected);
  });
});

describe('redactText: benign text', () => {
  it.each([
    'Order #100234567 shipped',
    'Order 1234567890123',
    'Released v2.14.1 on 2024-01-15 at 10:30:45',
    'Total: $1,234.56 (incl. VAT)',
    '/orgs/acme/projects/42/settings?tab=general',
    '/invite/new',
    '/verify/email',
    'Foo::Bar at 12:30',
    'id 550e8400-e29b-41d4-a716-446655440000',
    'data-testid=checkout-submit-button-primary-variant',
    'Version 1.2.3.4',
    'Showing 1–25 of 1,204 results',
    'Bearer authentication',
    'Basic plan',
    '<script>alert(1)</script>',
    'Password: required',
    'Password: ********',
    'Token expired, please sign in again',
    'Step 1/2/3 on 2024.01.15',
    'Zero\u200bwidth label, Ｑ３ report',
  ])('%s', (input) => {
    expect(redactText(input)).toBe(input);
  });
});

describe('redactText: options and limits', () => {
  it('redacts extra patterns with [redacted], also when the pattern is not global', () => {
    expect(redactText('account ACME-12345 locked', { extraPatterns: [/ACME-\d+/] })).toBe(
      'account [redacted] locked',
    );
  });

  it('cuts input beyond the cap at a word boundary and stays idempotent', () => {
    const huge = 'word '.repeat(MAX_REDACTION_INPUT_LENGTH);
    const output = redactText(huge);
    expect(output.length).toBeLessThanOrEqual(MAX_REDACTION_INPUT_LENGTH);
    expect(output.endsWith('…')).toBe(true);
    expect(redactText(output)).toBe(output);
  });

  it('does not leave half a secret at the cut', () => {
    const card = '4111111111111111';
    const text = `${'a'.repeat(MAX_REDACTION_INPUT_LENGTH - 8)} ${card}`;
    expect(redactText(text)).not.toContain('4111111');
  });

  it.each([
    ['@'.repeat(100_000)],
    ['a@'.repeat(50_000)],
    ['1 '.repeat(50_000)],
    ['+1'.repeat(50_000)],
    ['eyJ'.repeat(50_000)],
    ['a:'.repeat(50_000)],
    ['token='.repeat(20_000)],
    ['https://'.repeat(20_000)],
    ['0 12 '.repeat(30_000)],
    ['Bearer '.repeat(20_000)],
  ])('returns on hostile input %#', (input) => {
    expect(typeof redactText(input)).toBe('string');
  });
});

describe('redactText: properties', () => {
  const secrets = [
    ['email', emailArbitrary],
    ['card', cardArbitrary],
    ['iban', ibanArbitrary],
    ['jwt', jwtArbitrary],
    ['api key', apiKeyArbitrary],
    ['phone', phoneArbitrary],
    ['ip', ipArbitrary],
  ] as const;

  it.each(secrets)('a generated %s embedded in benign text never survives', (_kind, secretArbitrary) => {
    fc.assert(
      fc.property(
        benignTextArbitrary,
        secretArbitrary,
        benignTextArbitrary,
        fc.constantFrom(' ', ' (', ': '),
        (before, secret, after, joiner) => {
          const output = redactText(`${before}${joiner}${secret} ${after}`);
          expect(output).not.toContain(secret);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('leaves generated benign text unchanged', () => {
    fc.assert(
      fc.property(benignTextArbitrary, (text) => {
        expect(redactText(text)).toBe(text);
      }),
      { numRuns: 1000 },
    );
  });

  it('is idempotent on any text, and on text mixing secrets', () => {
    const mixed = fc
      .array(fc.oneof(benignTextArbitrary, ...secrets.map(([, arbitrary]) => arbitrary)), { maxLength: 8 })
      .map((parts) => parts.join(' '));
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200 }), mixed), (text) => {
        const once = redactText(text);
        expect(redactText(once)).toBe(once);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('IBANs next to a word of the same shape', () => {
  it('redacts one written without spaces after such a word (found by the adversarial property test)', () => {
    expect(redactText('DE89 DE36000000000000000000 A')).toBe('DE89 [iban] A');
    expect(redactText('DE89 DE36 0000 0000 0000 0000 00 A')).toBe('DE89 [iban] A');
  });
});
