import { isAscii } from 'node:buffer';
import { decodeBase64, isLikelyBase64, restoreBase64Plus } from './base64-text.js';
import { type CaptureFailure, malformed, tooLarge } from './capture-failure.js';
import { type CaptureLimits, defaultCaptureLimits } from './capture-limits.js';
import { looksLikeForm, parseCaptureForm } from './form-body.js';
import { gunzipBounded, hasGzipMagic } from './gunzip-bounded.js';
import { exceedsJsonDepth } from './json-depth.js';
import { decompressLz64Bounded } from './lz64-decompress.js';

/** A capture request as the route received it: raw bytes plus the hints that say how they are encoded. */
export interface CaptureRequest {
  /** Raw bytes as received (the route uses a buffer parser for every content type). */
  body: Buffer | undefined;
  contentType?: string;
  contentEncoding?: string;
  /** Query string values, e.g. `compression`, `data`, `ver`, `_`, `ip`. */
  query: Record<string, string | undefined>;
}

/** Decoded payloads nested deeper than this are refused; no real event comes close. */
export const maxJsonDepth = 64;

/** gzip, form, lz64 and base64 can wrap one another; more layers than this is not a real client. */
const maxEncodingLayers = 6;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Turns the raw bytes of a PostHog capture request into parsed JSON.
 *
 * Handles what posthog-js and posthog-node send: gzip (detected by its magic bytes whatever the
 * headers say, since recent posthog-js posts it as `text/plain` with only `?compression=gzip-js`,
 * and sendBeacon sends it with no content type at all), lz-string `lz64`, base64 bodies,
 * `data=` forms (possibly base64 or lz64 inside) and `?data=` when the body is empty.
 * Every step is bounded by `limits`; nothing here throws.
 */
export function decodeCaptureBody(
  request: CaptureRequest,
  limits: CaptureLimits = defaultCaptureLimits,
): { ok: true; payload: unknown } | CaptureFailure {
  let bytes: Buffer;
  if (request.body !== undefined && request.body.length > 0) {
    bytes = request.body;
  } else if (request.query.data !== undefined && request.query.data !== '') {
    bytes = Buffer.from(restoreBase64Plus(request.query.data), 'utf8');
  } else {
    return malformed('body is empty and there is no data query parameter');
  }
  if (bytes.length > limits.maxBodyBytes) {
    return tooLarge(`body is ${bytes.length} bytes; the limit is ${limits.maxBodyBytes} bytes`);
  }

  const queryCompression = normalizeCompression(request.query.compression);
  let compression = queryCompression ?? normalizeCompression(request.contentEncoding);
  const steps: string[] = [];
  let isFormRead = false;
  let isLz64Read = false;

  for (let layer = 0; layer < maxEncodingLayers; layer += 1) {
    if (hasGzipMagic(bytes)) {
      const inflated = gunzipBounded(bytes, limits.maxDecodedBytes);
      if (!inflated.ok) {
        return inflated.reason === 'too_large'
          ? tooLarge(`body inflates to more than ${limits.maxDecodedBytes} bytes`)
          : malformed(`body is not valid gzip data${after(steps)}`);
      }
      bytes = inflated.bytes;
      steps.push('gzip decompression');
      continue;
    }
    if (bytes.length > limits.maxDecodedBytes) {
      return tooLarge(`body decodes to more than ${limits.maxDecodedBytes} bytes`);
    }

    let text: string;
    try {
      // ASCII (nearly every JSON body: posthog-js escapes nothing, but product text is mostly ASCII)
      // is valid UTF-8 as it is; reading it as latin1 skips the decoder's validation pass.
      text = (isAscii(bytes) ? bytes.toString('latin1') : utf8.decode(bytes)).replace(/^\uFEFF/, '').trim();
    } catch {
      return compression === 'gzip' && steps.length === 0
        ? malformed('body is marked as gzip but is neither gzip data nor text')
        : malformed(`body is not UTF-8 text${after(steps)}`);
    }
    if (text === '') return malformed(`body is empty${after(steps)}`);

    if (text.startsWith('{') || text.startsWith('[')) return parseJson(text, steps);

    if (!isFormRead && looksLikeForm(text, steps.length === 0 ? request.contentType : undefined)) {
      const form = parseCaptureForm(text);
      if (form.data === undefined || form.data === '') return malformed('form body has no data field');
      // posthog-js puts the hint in the query string; the form field is for older clients.
      compression = queryCompression ?? normalizeCompression(form.compression) ?? compression;
      bytes = Buffer.from(restoreBase64Plus(form.data.trim()), 'utf8');
      steps.push('form decoding');
      isFormRead = true;
      continue;
    }

    if (compression === 'lz64' && !isLz64Read) {
      const decompressed = decompressLz64Bounded(text, limits.maxDecodedBytes);
      if (!decompressed.ok) {
        return decompressed.reason === 'too_large'
          ? tooLarge(`body decompresses to more than ${limits.maxDecodedBytes} bytes`)
          : malformed(`body is not valid lz64 data${after(steps)}`);
      }
      bytes = Buffer.from(decompressed.text, 'utf8');
      steps.push('lz64 decompression');
      isLz64Read = true;
      continue;
    }

    if (isLikelyBase64(text)) {
      bytes = decodeBase64(text);
      steps.push('base64 decoding');
      continue;
    }

    return parseJson(text, steps);
  }
  return malformed('body is wrapped in too many layers of encoding');
}

function parseJson(text: string, steps: string[]): { ok: true; payload: unknown } | CaptureFailure {
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch {
    // The parser's own message quotes the input, which is product data; it stays out.
    return malformed(`body is not valid JSON${after(steps)}`);
  }
  if (typeof payload !== 'object' || payload === null) {
    return malformed(
      `body must be a JSON object or array, not ${payload === null ? 'null' : typeof payload}`,
    );
  }
  if (exceedsJsonDepth(payload, maxJsonDepth)) {
    return malformed(`body nests JSON more than ${maxJsonDepth} levels deep`);
  }
  return { ok: true, payload };
}

type CompressionHint = 'gzip' | 'lz64' | 'base64';

function normalizeCompression(value: string | undefined): CompressionHint | undefined {
  switch (value?.trim().toLowerCase()) {
    case 'gzip':
    case 'gzip-js':
      return 'gzip';
    case 'lz64':
    case 'lz-string':
      return 'lz64';
    case 'base64':
    case 'b64':
      return 'base64';
    default:
      return undefined;
  }
}

function after(steps: string[]): string {
  return steps.length === 0 ? '' : ` (after ${steps.join(', then ')})`;
}
