import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { verifyIntercomSignature } from './verify-intercom-signature.js';

const ping = readFileSync(new URL('../../../../fixtures/intercom/ping.body', import.meta.url));
const secret = 'test_client_secret';
const sign = (body: Buffer | string, key = secret, algorithm: 'sha1' | 'sha256' = 'sha1') =>
  `${algorithm}=${createHmac(algorithm, key).update(body).digest('hex')}`;

describe('verifyIntercomSignature', () => {
  it('passes the known answer for the ping fixture', () => {
    expect(
      verifyIntercomSignature(ping, { sha1: 'sha1=244bbda49dd12ffaa5f9e926b774af8295323aae' }, secret),
    ).toBe(true);
  });

  it('accepts upper-case hex and sha256', () => {
    expect(
      verifyIntercomSignature(ping, { sha1: sign(ping).toUpperCase().replace('SHA1=', 'sha1=') }, secret),
    ).toBe(true);
    expect(verifyIntercomSignature(ping, { sha256: sign(ping, secret, 'sha256') }, secret)).toBe(true);
  });

  it.each([
    ['no header', {}],
    ['another secret', { sha1: sign(ping, 'other') }],
    ['a truncated signature', { sha1: sign(ping).slice(0, -2) }],
    ['no prefix', { sha1: sign(ping).slice('sha1='.length) }],
    ['a sha256 prefix on a sha1 digest', { sha256: sign(ping).replace('sha1=', 'sha256=') }],
    [
      'a wrong stronger signature beside a right weaker one',
      { sha1: sign(ping), sha256: sign(ping, 'other', 'sha256') },
    ],
    ['non-hex characters', { sha1: `sha1=${'z'.repeat(40)}` }],
  ])('fails closed on %s', (_name, headers) => {
    expect(verifyIntercomSignature(ping, headers, secret)).toBe(false);
  });

  it('fails on a body changed by one byte or re-serialized', () => {
    const signature = { sha1: sign(ping) };
    const changed = Buffer.from(ping);
    changed[10] = (changed[10]! + 1) % 256;
    expect(verifyIntercomSignature(changed, signature, secret)).toBe(false);
    expect(
      verifyIntercomSignature(Buffer.from(JSON.stringify(JSON.parse(ping.toString()))), signature, secret),
    ).toBe(ping.toString() === JSON.stringify(JSON.parse(ping.toString())));
  });

  it('never verifies with an empty secret', () => {
    expect(verifyIntercomSignature(ping, { sha1: sign(ping, '') }, '')).toBe(false);
  });
});
