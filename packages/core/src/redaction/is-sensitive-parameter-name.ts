const SENSITIVE_WORDS: ReadonlySet<string> = new Set([
  'token',
  'tokens',
  'key',
  'apikey',
  'secret',
  'password',
  'passwd',
  'pwd',
  'pw',
  'pass',
  'passcode',
  'pin',
  'code',
  'signature',
  'sig',
  'auth',
  'authorization',
  'authorisation',
  'session',
  'sessionid',
  'sid',
  'otp',
  'totp',
  'mfa',
  'jwt',
  'credential',
  'credentials',
  'nonce',
  'ticket',
  'hash',
  'salt',
  'bearer',
  'cookie',
  'magic',
  'invite',
  'reset',
  'verification',
  'confirmation',
  'assertion',
  'saml',
  'samlresponse',
  'state',
  'ssn',
  'cvc',
  'cvv',
]);

const SENSITIVE_FRAGMENTS = ['token', 'secret', 'password', 'passwd', 'apikey', 'signature', 'credential'];

/**
 * Whether a query parameter or `name=value` key names something secret, e.g. `access_token`, `apiKey`,
 * `X-Amz-Signature`, `code`, `sessionId`, but not `tab`, `page` or `monkey`.
 */
export function isSensitiveParameterName(name: string): boolean {
  const lower = name.toLowerCase();
  if (SENSITIVE_FRAGMENTS.some((fragment) => lower.includes(fragment))) return true;
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/);
  return words.some((word) => SENSITIVE_WORDS.has(word));
}
