import fc from 'fast-check';

const lowerAlnum = 'abcdefghijklmnopqrstuvwxyz0123456789'.split('');
const alnum = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'.split('');
const base64Url = [...alnum, '-', '_'];

function stringOf(characters: string[], minLength: number, maxLength: number): fc.Arbitrary<string> {
  return fc.string({ unit: fc.constantFrom(...characters), minLength, maxLength });
}

function luhnCheckDigit(payload: string): number {
  let sum = 0;
  for (let index = 0; index < payload.length; index++) {
    let digit = Number(payload[payload.length - 1 - index]);
    if (index % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return (10 - (sum % 10)) % 10;
}

function ibanCheckDigits(country: string, bban: string): string {
  const numeric = `${bban}${country}00`.replace(/[A-Z]/g, (letter) => String(letter.charCodeAt(0) - 55));
  let remainder = 0;
  for (const digit of numeric) remainder = (remainder * 10 + Number(digit)) % 97;
  return String(98 - remainder).padStart(2, '0');
}

/** Emails with realistic local parts and domains. */
export const emailArbitrary = fc
  .tuple(stringOf(lowerAlnum, 1, 12), fc.constantFrom('', '.', '+', '_'), stringOf(lowerAlnum, 0, 8))
  .chain(([head, separator, tail]) =>
    fc
      .tuple(stringOf(lowerAlnum, 2, 12), fc.constantFrom('com', 'io', 'co.uk', 'de', 'org', 'dev'))
      .map(([domain, topLevel]) => `${head}${tail ? separator + tail : ''}@${domain}.${topLevel}`),
  );

/** Payment card numbers with a valid Luhn digit, contiguous or in groups of four. */
export const cardArbitrary = fc
  .tuple(
    fc.constantFrom('4', '51', '55', '37', '6011'),
    fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 14, maxLength: 14 }),
    fc.constantFrom('', ' ', '-'),
  )
  .map(([prefix, digits, separator]) => {
    const payload = (prefix + digits.join('')).slice(0, 15);
    const number = payload + luhnCheckDigit(payload);
    return separator ? (number.match(/.{4}/g) ?? []).join(separator) : number;
  });

/** German and British IBANs with correct check digits, compact or printed in groups of four. */
export const ibanArbitrary = fc
  .tuple(
    fc.constantFrom('DE', 'GB'),
    fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 18, maxLength: 18 }),
    fc.boolean(),
  )
  .map(([country, digits, isGrouped]) => {
    const bban = country === 'GB' ? `WEST${digits.slice(0, 14).join('')}` : digits.join('');
    const iban = `${country}${ibanCheckDigits(country, bban)}${bban}`;
    return isGrouped ? (iban.match(/.{1,4}/g) ?? []).join(' ') : iban;
  });

/** Signed JWTs. */
export const jwtArbitrary = fc
  .tuple(stringOf(base64Url, 10, 60), stringOf(base64Url, 20, 43))
  .map(([payload, signature]) => `eyJhbGciOiJIUzI1NiJ9.eyJ${payload}.${signature}`);

/** Vendor-prefixed API keys. */
export const apiKeyArbitrary = fc.oneof(
  fc
    .tuple(fc.constantFrom('sk_live_', 'sk_test_', 'pk_live_', 'rk_test_'), stringOf(alnum, 24, 32))
    .map((parts) => parts.join('')),
  fc.tuple(fc.constantFrom('ghp_', 'gho_'), stringOf(alnum, 36, 36)).map((parts) => parts.join('')),
  stringOf(alnum, 30, 40).map((rest) => `github_pat_${rest}`),
  fc
    .tuple(fc.constantFrom('xoxb-', 'xoxp-'), fc.integer({ min: 1e9, max: 9e9 }), stringOf(alnum, 24, 24))
    .map(([prefix, team, rest]) => `${prefix}${team}-${rest}`),
  stringOf('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'.split(''), 16, 16).map((rest) => `AKIA${rest}`),
  stringOf(base64Url, 35, 35).map((rest) => `AIza${rest}`),
  stringOf(alnum, 40, 48).map((rest) => `sk-proj-${rest}`),
);

/** Phone numbers in international and common national formats. */
export const phoneArbitrary = fc.oneof(
  fc
    .tuple(
      fc.integer({ min: 200, max: 999 }),
      fc.integer({ min: 200, max: 999 }),
      fc.integer({ min: 0, max: 9999 }),
      fc.constantFrom('+1 ', '', '+1-'),
    )
    .map(([area, exchange, line, prefix]) =>
      prefix === ''
        ? `(${area}) ${exchange}-${String(line).padStart(4, '0')}`
        : `${prefix}${area}-${exchange}-${String(line).padStart(4, '0')}`,
    ),
  fc
    .tuple(
      fc.constantFrom('+44 20', '+49 30', '+33 1', '+34 91', '+61 2'),
      fc.integer({ min: 1000, max: 9999 }),
      fc.integer({ min: 1000, max: 9999 }),
    )
    .map(([prefix, first, second]) => `${prefix} ${first} ${second}`),
  fc
    .tuple(
      fc.integer({ min: 20, max: 99 }),
      fc.integer({ min: 1000, max: 9999 }),
      fc.integer({ min: 1000, max: 9999 }),
    )
    .map(([area, first, second]) => `0${area} ${first} ${second}`),
);

/** IPv4 and IPv6 addresses (IPv6 with at least one digit, as the bare `::` carries nothing). */
export const ipArbitrary = fc.oneof(
  fc.ipV4(),
  fc.ipV6().filter((address) => /\d/.test(address)),
);

const benignWords = [
  'Save',
  'changes',
  'Billing',
  'Upgrade',
  'to',
  'Pro',
  'project',
  'settings',
  'Dashboard',
  'Invite',
  'teammates',
  'Export',
  'CSV',
  'on',
  'the',
  'page',
  'Retry',
  'failed',
  'Order',
  'shipped',
  'Total:',
  'Next',
  'step',
  'of',
  'Welcome',
  'back',
  'Delete',
  'report',
  'Q3',
  'plan',
  'Team',
  'seats',
  'API',
  'docs',
  'Help',
  'center',
];

/** Benign UI fragments: words, paths, prices, dates, times, versions and order numbers that fail Luhn. */
export const benignFragmentArbitrary = fc.oneof(
  fc.constantFrom(...benignWords),
  fc
    .tuple(fc.constantFrom('orgs', 'projects', 'settings', 'reports'), fc.integer({ min: 1, max: 99999 }))
    .map(([section, id]) => `/${section}/${id}/edit`),
  fc.integer({ min: 1, max: 999_999 }).map((cents) => `$${(cents / 100).toFixed(2)}`),
  fc
    .date({ min: new Date('2000-01-01'), max: new Date('2035-12-31'), noInvalidDate: true })
    .map((date) => date.toISOString().slice(0, 10)),
  fc
    .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
    .map(([hours, minutes]) => `${hours}:${String(minutes).padStart(2, '0')}`),
  fc.tuple(fc.nat(30), fc.nat(40), fc.nat(200)).map(([major, minor, patch]) => `v${major}.${minor}.${patch}`),
  fc.integer({ min: 100_000, max: 99_999_999 }).map((order) => `#${order}`),
);

/** A line of benign UI text. */
export const benignTextArbitrary = fc
  .array(benignFragmentArbitrary, { minLength: 0, maxLength: 8 })
  .map((parts) => parts.join(' '));
