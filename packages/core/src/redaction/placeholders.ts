/** The stable placeholders that replace each kind of sensitive value. */
export const PLACEHOLDERS = {
  email: '[email]',
  card: '[card]',
  phone: '[phone]',
  iban: '[iban]',
  ssn: '[ssn]',
  jwt: '[jwt]',
  token: '[token]',
  secret: '[secret]',
  ip: '[ip]',
  redacted: '[redacted]',
} as const;

/** One of the strings in {@link PLACEHOLDERS}. */
export type Placeholder = (typeof PLACEHOLDERS)[keyof typeof PLACEHOLDERS];

const PLACEHOLDER_SET: ReadonlySet<string> = new Set(Object.values(PLACEHOLDERS));

/** Whether `text` is exactly one placeholder (so a second pass leaves it alone). */
export function isPlaceholder(text: string): boolean {
  return PLACEHOLDER_SET.has(text);
}
