import { gunzipSync } from 'node:zlib';

/** The outcome of inflating a gzip body under a size cap. */
export type GunzipResult = { ok: true; bytes: Buffer } | { ok: false; reason: 'too_large' | 'corrupt' };

/** True when the bytes start with the gzip magic number (0x1f 0x8b). */
export function hasGzipMagic(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Inflates gzip bytes, refusing output above `maxOutputBytes`. zlib stops as soon as the cap is
 * crossed, so a bomb costs at most `maxOutputBytes` of memory, never its full inflated size.
 */
export function gunzipBounded(bytes: Uint8Array, maxOutputBytes: number): GunzipResult {
  try {
    return { ok: true, bytes: gunzipSync(bytes, { maxOutputLength: maxOutputBytes }) };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError)
      return { ok: false, reason: 'too_large' };
    return { ok: false, reason: 'corrupt' };
  }
}
