import { isSensitiveParameterName } from './is-sensitive-parameter-name.js';
import { isPlaceholder, PLACEHOLDERS } from './placeholders.js';
import type { RedactionRule } from './redaction-rule.js';

/** Path segments after which the next segment is a one-time token (reset links, magic links, invites). */
const TOKEN_CARRYING_SEGMENT =
  /\/(reset-password|reset_password|password-reset|password_reset|reset|magic-link|magic_link|magic|login-link|invite|invites|invitation|invitations|accept-invite|verify|verify-email|verification|confirm|confirm-email|confirmation|activate|activation|unsubscribe|token|tokens|auth\/callback|sso)\/([^/?#\s"'<>]+)/gi;

function looksLikeOneTimeToken(segment: string): boolean {
  if (isPlaceholder(segment)) return false;
  if (segment.length >= 20) return true;
  return segment.length >= 6 && (/\d/.test(segment) || (/[a-z]/.test(segment) && /[A-Z]/.test(segment)));
}

/**
 * Secrets carried by URLs: `user:pass@` userinfo, sensitive `name=value` pairs (query strings and
 * free text alike), and tokens in reset / magic-link / invite / verify paths.
 */
export const URL_SECRET_RULES: readonly RedactionRule[] = [
  {
    name: 'url-userinfo',
    pattern: /\b([a-z][a-z0-9+.-]{1,15}:\/\/)([^\s/?#@[\]]{1,256})@(?=[^\s])/gi,
    replace: (match, scheme: string, userinfo: string) =>
      isPlaceholder(userinfo) ? match : `${scheme}${PLACEHOLDERS.secret}@`,
    mayChange: (text) => text.includes('@') && text.includes('://'),
  },
  {
    name: 'sensitive-parameter',
    // The value runs to its end, however long: a bounded one would leave the rest of a long token.
    pattern: /(^|[?&#;,\s"'(])([A-Za-z0-9_.[\]-]{1,64})=([^&#\s"'<>]+)/g,
    replace: (match, before: string, name: string, value: string) => {
      if (!isSensitiveParameterName(name) || isPlaceholder(value)) return match;
      // `(pwd=x)`: the bracket closes the text around the pair, not the value.
      const closing = before === '(' && value.endsWith(')') && value.length > 1 ? ')' : '';
      return `${before}${name}=${PLACEHOLDERS.secret}${closing}`;
    },
    mayChange: (text) => text.includes('='),
  },
  {
    name: 'token-path-segment',
    pattern: TOKEN_CARRYING_SEGMENT,
    replace: (match, segment: string, token: string) =>
      looksLikeOneTimeToken(token) ? `/${segment}/${PLACEHOLDERS.token}` : match,
    // The keyword segment sits between two slashes.
    mayChange: (text) => text.indexOf('/') !== text.lastIndexOf('/'),
  },
];
