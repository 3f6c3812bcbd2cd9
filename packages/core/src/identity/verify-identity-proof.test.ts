import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isValidUserHash, isValidUserJwt, isVerifiedIdentity } from './verify-identity-proof.js';

const secret = 'messenger-identity-secret';
const now = new Date('2026-12-01T12:00:00.000Z');
const nowSeconds = now.getTime() / 1000;

/** Signed here with node:crypto, independently of the code under test. */
function userHash(userId: string, key = secret): string {
  return createHmac('sha256', key).update(userId).digest('hex');
}

function segment(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function jwt(
  claims: Record<string, unknown>,
  header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' },
) {
  const signed = `${segment(header)}.${segment(claims)}`;
  return `${signed}.${createHmac('sha256', secret).update(signed).digest('base64url')}`;
}

describe('isValidUserHash', () => {
  it('accepts the HMAC-SHA256 of the distinct id, in either hex case', () => {
    expect(isValidUserHash('user-42', userHash('user-42'), secret)).toBe(true);
    expect(isValidUserHash('user-42', userHash('user-42').toUpperCase(), secret)).toBe(true);
  });

  it('refuses the hash of another id, another secret, or something that is not a hash', () => {
    expect(isValidUserHash('user-42', userHash('user-43'), secret)).toBe(false);
    expect(isValidUserHash('user-42', userHash('user-42', 'other-secret'), secret)).toBe(false);
    expect(isValidUserHash('user-42', userHash('user-42').slice(0, 63), secret)).toBe(false);
    expect(isValidUserHash('user-42', `${userHash('user-42')}00`, secret)).toBe(false);
    expect(isValidUserHash('user-42', '', secret)).toBe(false);
    expect(isValidUserHash('user-42', 'z'.repeat(64), secret)).toBe(false);
  });
});

describe('isValidUserJwt', () => {
  it('accepts an HS256 token whose user_id is the distinct id', () => {
    expect(isValidUserJwt('user-42', jwt({ user_id: 'user-42', exp: nowSeconds + 3600 }), secret, now)).toBe(
      true,
    );
    expect(isValidUserJwt('42', jwt({ user_id: 42 }), secret, now)).toBe(true);
  });

  it('honours exp and nbf with a minute of leeway', () => {
    expect(isValidUserJwt('u', jwt({ user_id: 'u', exp: nowSeconds - 30 }), secret, now)).toBe(true);
    expect(isValidUserJwt('u', jwt({ user_id: 'u', exp: nowSeconds - 61 }), secret, now)).toBe(false);
    expect(isValidUserJwt('u', jwt({ user_id: 'u', exp: 'tomorrow' }), secret, now)).toBe(false);
    expect(isValidUserJwt('u', jwt({ user_id: 'u', nbf: nowSeconds + 30 }), secret, now)).toBe(true);
    expect(isValidUserJwt('u', jwt({ user_id: 'u', nbf: nowSeconds + 120 }), secret, now)).toBe(false);
  });

  it('refuses another user, a missing user_id, and a token signed with another secret', () => {
    expect(isValidUserJwt('user-42', jwt({ user_id: 'user-43' }), secret, now)).toBe(false);
    expect(isValidUserJwt('user-42', jwt({ email: 'a@example.com' }), secret, now)).toBe(false);
    expect(isValidUserJwt('user-42', jwt({ user_id: 'user-42' }), 'other-secret', now)).toBe(false);
  });

  it('refuses every algorithm but HS256, and unsigned or tampered tokens', () => {
    const claims = segment({ user_id: 'user-42' });
    expect(isValidUserJwt('user-42', `${segment({ alg: 'none' })}.${claims}.`, secret, now)).toBe(false);
    expect(isValidUserJwt('user-42', jwt({ user_id: 'user-42' }, { alg: 'HS512' }), secret, now)).toBe(false);
    expect(isValidUserJwt('user-42', jwt({ user_id: 'user-42' }, { alg: 'RS256' }), secret, now)).toBe(false);
    const [header, , signature] = jwt({ user_id: 'user-43' }).split('.');
    expect(isValidUserJwt('user-42', `${header}.${claims}.${signature}`, secret, now)).toBe(false);
    expect(isValidUserJwt('user-42', 'not.a.jwt', secret, now)).toBe(false);
    expect(isValidUserJwt('user-42', 'two.parts', secret, now)).toBe(false);
    expect(isValidUserJwt('user-42', `${jwt({ user_id: 'user-42' })}x`, secret, now)).toBe(false);
  });
});

describe('isVerifiedIdentity', () => {
  it('is verified by either proof, and by neither when both are wrong or absent', () => {
    expect(isVerifiedIdentity('u', { userHash: userHash('u') }, secret, now)).toBe(true);
    expect(
      isVerifiedIdentity('u', { userHash: userHash('x'), userJwt: jwt({ user_id: 'u' }) }, secret, now),
    ).toBe(true);
    expect(
      isVerifiedIdentity('u', { userHash: userHash('x'), userJwt: jwt({ user_id: 'x' }) }, secret, now),
    ).toBe(false);
    expect(isVerifiedIdentity('u', {}, secret, now)).toBe(false);
  });
});
