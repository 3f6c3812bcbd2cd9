import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isEncryptionKey, TokenCipher, TokenCipherError } from './token-cipher.js';

const newKey = () => randomBytes(32).toString('base64');
const token = 'dG9rOjEyMzQ1Njc4OTA6YWJjZGVm==';

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    if (error instanceof TokenCipherError) return error.code;
    throw error;
  }
  return undefined;
}

describe('TokenCipher', () => {
  it('opens what it sealed, and never shows the token in the ciphertext', () => {
    const cipher = new TokenCipher([newKey()]);
    const sealed = cipher.seal(token, 'shop');
    expect(sealed).not.toContain(token);
    expect(sealed).not.toContain(Buffer.from(token).toString('base64url'));
    expect(sealed.startsWith(`v1.${cipher.currentKeyId}.`)).toBe(true);
    expect(cipher.open(sealed, 'shop')).toBe(token);
    expect(cipher.seal(token, 'shop')).not.toBe(sealed);
  });

  it('refuses a ciphertext changed in any part', () => {
    const cipher = new TokenCipher([newKey()]);
    const sealed = cipher.seal(token, 'shop');
    const parts = sealed.split('.');
    for (const index of [2, 3, 4]) {
      const changed = [...parts];
      const bytes = Buffer.from(changed[index]!, 'base64url');
      bytes[0] = bytes[0]! ^ 1;
      changed[index] = bytes.toString('base64url');
      expect(codeOf(() => cipher.open(changed.join('.'), 'shop'))).toMatch(/tampered|malformed/);
    }
    expect(codeOf(() => cipher.open(sealed, 'other-shop'))).toBe('tampered');
    expect(codeOf(() => cipher.open('not a token', 'shop'))).toBe('malformed');
  });

  it('rotates: the new key seals, the old one still opens, and dropping it makes old tokens unreadable', () => {
    const [oldKey, freshKey] = [newKey(), newKey()];
    const before = new TokenCipher([oldKey]).seal(token, 'shop');
    const rotated = new TokenCipher([freshKey, oldKey]);
    expect(rotated.open(before, 'shop')).toBe(token);
    const after = rotated.seal(token, 'shop');
    expect(rotated.keyIdOf(after)).toBe(rotated.currentKeyId);
    expect(rotated.keyIdOf(before)).not.toBe(rotated.currentKeyId);
    const onlyNew = new TokenCipher([freshKey]);
    expect(onlyNew.open(after, 'shop')).toBe(token);
    expect(codeOf(() => onlyNew.open(before, 'shop'))).toBe('unknown_key');
  });

  it('refuses a ciphertext from a key it does not know', () => {
    const sealed = new TokenCipher([newKey()]).seal(token, 'shop');
    expect(codeOf(() => new TokenCipher([newKey()]).open(sealed, 'shop'))).toBe('unknown_key');
  });

  it('accepts only 32-byte base64 keys, and its errors never carry the token', () => {
    expect(isEncryptionKey(newKey())).toBe(true);
    expect(isEncryptionKey(randomBytes(32).toString('base64url'))).toBe(true);
    expect(isEncryptionKey(randomBytes(16).toString('base64'))).toBe(false);
    expect(isEncryptionKey('x'.repeat(44))).toBe(false);
    expect(() => new TokenCipher(['short'])).toThrow(/32 bytes/);
    expect(() => new TokenCipher([])).toThrow();
    const cipher = new TokenCipher([newKey()]);
    const sealed = cipher.seal(token, 'shop');
    try {
      new TokenCipher([newKey()]).open(sealed, 'shop');
    } catch (error) {
      expect(String((error as Error).message)).not.toContain(token);
    }
  });
});
