import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/** Why a sealed token could not be opened; never carries the token or the key. */
export type TokenCipherErrorCode = 'malformed' | 'unknown_key' | 'tampered';

export class TokenCipherError extends Error {
  constructor(readonly code: TokenCipherErrorCode) {
    super(`workspace token could not be decrypted (${code})`);
    this.name = 'TokenCipherError';
  }
}

interface CipherKey {
  id: string;
  material: Buffer;
}

const version = 'v1';
const ivBytes = 12;
const tagBytes = 16;

/** The public name of a key: 8 hex digits of an HMAC under it (says nothing about the key). */
export function encryptionKeyId(material: Buffer): string {
  return createHmac('sha256', material).update('threadline encryption key id').digest('hex').slice(0, 8);
}

/** Whether a THREADLINE_ENCRYPTION_KEY entry is 32 bytes of base64 (standard or url-safe). */
export function isEncryptionKey(text: string): boolean {
  return /^[A-Za-z0-9+/_-]{43}=?$/.test(text) && Buffer.from(text, 'base64').length === 32;
}

/**
 * AES-256-GCM for workspace tokens at rest (THREADLINE_ENCRYPTION_KEY). The first key seals; every key
 * opens, found by the key id each ciphertext carries (`v1.<key id>.<iv>.<ciphertext>.<tag>`, base64url).
 * `context` (the product id) is bound as associated data, so a ciphertext copied to another workspace's
 * record does not open there.
 */
export class TokenCipher {
  private readonly keys: CipherKey[];

  /** `keys`: base64 32-byte keys, the one that seals first. */
  constructor(keys: readonly string[]) {
    if (keys.length === 0) throw new Error('TokenCipher needs at least one key');
    this.keys = keys.map((text) => {
      if (!isEncryptionKey(text)) throw new Error('an encryption key is not 32 bytes of base64');
      const material = Buffer.from(text, 'base64');
      return { id: encryptionKeyId(material), material };
    });
  }

  /** The id of the key that seals. */
  get currentKeyId(): string {
    return this.keys[0]!.id;
  }

  seal(plain: string, context: string): string {
    const key = this.keys[0]!;
    const iv = randomBytes(ivBytes);
    const cipher = createCipheriv('aes-256-gcm', key.material, iv, { authTagLength: tagBytes });
    cipher.setAAD(Buffer.from(`threadline workspace token\0${context}`, 'utf8'));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [version, key.id, iv, body, cipher.getAuthTag()]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  }

  /** Opens a sealed token; throws `TokenCipherError` (malformed, unknown_key, tampered). */
  open(sealed: string, context: string): string {
    const parts = sealed.split('.');
    if (parts.length !== 5 || parts[0] !== version) throw new TokenCipherError('malformed');
    const [, keyId, ivText, bodyText, tagText] = parts as [string, string, string, string, string];
    const key = this.keys.find((candidate) => candidate.id === keyId);
    if (!key) throw new TokenCipherError('unknown_key');
    const iv = Buffer.from(ivText, 'base64url');
    const tag = Buffer.from(tagText, 'base64url');
    if (iv.length !== ivBytes || tag.length !== tagBytes) throw new TokenCipherError('malformed');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.material, iv, { authTagLength: tagBytes });
      decipher.setAAD(Buffer.from(`threadline workspace token\0${context}`, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(Buffer.from(bodyText, 'base64url')), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      throw new TokenCipherError('tampered');
    }
  }

  /** The key id a sealed token names, or null when it is not one of ours. */
  keyIdOf(sealed: string): string | null {
    const parts = sealed.split('.');
    return parts.length === 5 && parts[0] === version ? (parts[1] ?? null) : null;
  }
}
