import { looksLikeSecret } from './looks-like-secret.js';
import { isPlaceholder, PLACEHOLDERS } from './placeholders.js';
import type { RedactionRule } from './redaction-rule.js';

/** Prefixes that vendors put on API keys, each followed by the key's own alphabet and minimum length. */
const PREFIXED_KEY = new RegExp(
  [
    String.raw`\b(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{8,256}`,
    String.raw`\b(?:sk|rk|pk|whsec|acct|cus|pm|seti|pi)_[A-Za-z0-9]{20,256}`,
    String.raw`\bgh[pousr]_[A-Za-z0-9]{20,255}`,
    String.raw`\bgithub_pat_[A-Za-z0-9_]{20,255}`,
    String.raw`\bglpat-[A-Za-z0-9_-]{16,255}`,
    String.raw`\bxox[abposr]-[A-Za-z0-9-]{10,255}`,
    String.raw`\bxapp-[A-Za-z0-9-]{10,255}`,
    String.raw`\b(?:AKIA|ASIA)[0-9A-Z]{16}\b`,
    String.raw`\bAIza[0-9A-Za-z_-]{35}`,
    String.raw`\bsk-[A-Za-z0-9_-]{20,255}`,
    String.raw`\bnpm_[A-Za-z0-9]{36}\b`,
    String.raw`\bSG\.[A-Za-z0-9_-]{16,64}\.[A-Za-z0-9_-]{16,64}`,
    String.raw`\bsh(?:pat|pss|pca|ppa)_[a-fA-F0-9]{32}\b`,
    String.raw`\bph[cx]_[A-Za-z0-9]{20,64}\b`,
  ].join('|'),
  'g',
);

const AUTHORIZATION_SCHEME = /bearer|basic|token/i;

/**
 * A JWT starts where a run of base64url characters starts, optionally after a short word joined to it
 * by `-` or `_` (`token-eyJ…`, `id_token_eyJ…`, kept as it is). Starting at every `eyJ` instead would
 * rescan the same run from each of them (`eyJ-eyJ-…`), which is quadratic. Real JWT headers are well
 * under 1 KB; payloads and signatures get more room.
 */
const JWT =
  /(?<![A-Za-z0-9_-])((?:[A-Za-z0-9_]{1,32}[-_])?)eyJ[A-Za-z0-9_-]{2,1024}\.[A-Za-z0-9_-]{2,8192}\.[A-Za-z0-9_-]{0,4096}/g;

/** Words after which `:` or `=` introduces a password in free text (`password: hunter2`, `pwd = "x y"`). */
const LABELLED_PASSWORD =
  /\b(password|passwd|passphrase|passcode|pwd|pw)([ \t]{0,4}[:=][ \t]{0,4})("[^"\n]{1,256}"|'[^'\n]{1,256}'|[^\s"'<>]+)/gi;

/** What an empty or already masked password field shows. */
const MASKED_VALUE = /^[*•●·xX]+$/;

/** What a form says instead of a password. */
const FIELD_STATES: ReadonlySet<string> = new Set([
  'required',
  'invalid',
  'incorrect',
  'missing',
  'empty',
  'hidden',
  'changed',
  'updated',
  'reset',
  'weak',
  'medium',
  'strong',
  'none',
  'null',
  'undefined',
  'true',
  'false',
]);

function redactLabelledPassword(match: string, label: string, gap: string, value: string): string {
  if (isPlaceholder(value)) return match;
  let secret = value;
  let after = '';
  if (!value.startsWith('"') && !value.startsWith("'")) {
    // A sentence goes on after the password: keep its closing punctuation.
    let end = value.length;
    while (end > 0 && TRAILING_PUNCTUATION.has(value[end - 1] ?? '')) end--;
    secret = value.slice(0, end);
    after = value.slice(end);
  }
  if (secret === '' || isPlaceholder(secret) || MASKED_VALUE.test(secret)) return match;
  if (FIELD_STATES.has(secret.toLowerCase())) return match;
  const quote = secret.startsWith('"') || secret.startsWith("'") ? secret[0] : '';
  if (quote && isPlaceholder(secret.slice(1, -1))) return match;
  return `${label}${gap}${quote}${PLACEHOLDERS.secret}${quote}${after}`;
}

const TRAILING_PUNCTUATION: ReadonlySet<string> = new Set(['.', ',', ';', ':', '!', '?', ')', '…']);

/** `Token` is a common word, so its values must look more like a key than `Bearer`'s. */
function isAuthorizationValue(scheme: string, value: string): boolean {
  const hasDigit = /\d/.test(value);
  if (scheme.toLowerCase() === 'token') return value.length >= 20 || (value.length >= 16 && hasDigit);
  return hasDigit || value.length >= 20;
}

/**
 * Credentials that announce themselves: JWTs, `Bearer`/`Basic`/`Token` authorization values, passwords
 * labelled in free text, and vendor-prefixed API keys.
 */
export const CREDENTIAL_RULES: readonly RedactionRule[] = [
  {
    name: 'jwt',
    pattern: JWT,
    replace: (_match, word: string) => `${word}${PLACEHOLDERS.jwt}`,
    mayChange: (text) => text.includes('eyJ'),
  },
  {
    name: 'authorization-value',
    pattern: /\b(Bearer|Basic|Token)([ \t]{1,8}|%20)([A-Za-z0-9._~+/-]{8,}=*)/gi,
    replace: (match, scheme: string, gap: string, value: string) =>
      isAuthorizationValue(scheme, value) ? `${scheme}${gap}${PLACEHOLDERS.token}` : match,
    mayChange: (text) => AUTHORIZATION_SCHEME.test(text),
  },
  {
    name: 'labelled-password',
    pattern: LABELLED_PASSWORD,
    replace: redactLabelledPassword,
    mayChange: (text) => text.includes(':') || text.includes('='),
  },
  {
    name: 'prefixed-api-key',
    pattern: PREFIXED_KEY,
    replace: () => PLACEHOLDERS.secret,
    // Every key above is at least 15 characters of [A-Za-z0-9_-] in a row (SG. keys: 16 after the dot).
    mayChange: (_text, traits) => traits.longestTokenRun >= 15,
  },
];

/**
 * A run of token characters may be a path or a word list with a secret inside it, so judge it whole
 * and, failing that, by its `/`-separated parts.
 */
function redactHighEntropyParts(run: string): string {
  if (looksLikeSecret(run)) return PLACEHOLDERS.secret;
  if (!run.includes('/')) return run;
  return run
    .split('/')
    .map((part) => (looksLikeSecret(part) ? PLACEHOLDERS.secret : part))
    .join('/');
}

/**
 * Long hex/base64 runs that look random. Applied last, so that structured values (IBANs, emails) get
 * their own placeholder first.
 */
export const HIGH_ENTROPY_RULE: RedactionRule = {
  name: 'high-entropy',
  pattern: /[A-Za-z0-9+/_=-]{24,}/g,
  replace: (match) => redactHighEntropyParts(match),
  mayChange: (_text, traits) => traits.longestTokenRun >= 24,
};
