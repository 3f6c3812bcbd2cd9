import { looksLikeSecret } from './looks-like-secret.js';
import { PLACEHOLDERS } from './placeholders.js';
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

const AUTHORIZATION_SCHEME = /bearer|basic/i;

/**
 * Credentials that announce themselves: JWTs, `Bearer`/`Basic` authorization values, vendor-prefixed
 * and vendor-prefixed API keys.
 */
export const CREDENTIAL_RULES: readonly RedactionRule[] = [
  {
    name: 'jwt',
    pattern: /\beyJ[A-Za-z0-9_-]{2,4096}\.[A-Za-z0-9_-]{2,8192}\.[A-Za-z0-9_-]{0,4096}/g,
    replace: () => PLACEHOLDERS.jwt,
    mayChange: (text) => text.includes('eyJ'),
  },
  {
    name: 'authorization-value',
    pattern: /\b(Bearer|Basic)([ \t]{1,8}|%20)([A-Za-z0-9._~+/-]{8,4096}=*)/gi,
    replace: (match, scheme: string, gap: string, value: string) =>
      /\d/.test(value) || value.length >= 20 ? `${scheme}${gap}${PLACEHOLDERS.token}` : match,
    mayChange: (text) => AUTHORIZATION_SCHEME.test(text),
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
