import { gzipSync } from 'node:zlib';
import LZString from 'lz-string';
import { describe, expect, it } from 'vitest';
import { type CaptureLimits, defaultCaptureLimits } from './capture-limits.js';
import { type CaptureRequest, decodeCaptureBody } from './decode-capture-body.js';

const events = [
  { event: '$pageview', properties: { distinct_id: 'user-1', token: 'phc_test', note: 'a+b/c ü 🙂' } },
];
const json = JSON.stringify(events);

function request(body: Buffer | string | undefined, extra: Partial<CaptureRequest> = {}): CaptureRequest {
  return { body: typeof body === 'string' ? Buffer.from(body) : body, query: {}, ...extra };
}

function expectPayload(result: ReturnType<typeof decodeCaptureBody>): unknown {
  if (!result.ok) throw new Error(`expected a payload, got ${result.code}: ${result.message}`);
  return result.payload;
}

describe('decodeCaptureBody', () => {
  it('parses a plain JSON body', () => {
    expect(expectPayload(decodeCaptureBody(request(json, { contentType: 'application/json' })))).toEqual(
      events,
    );
  });

  it('inflates gzip sent as text/plain with only ?compression=gzip-js (posthog-js)', () => {
    const body = gzipSync(json);
    const result = decodeCaptureBody(
      request(body, { contentType: 'text/plain', query: { compression: 'gzip-js', ver: '1.434.0', _: '1' } }),
    );
    expect(expectPayload(result)).toEqual(events);
  });

  it('inflates gzip by its magic bytes with no header and no hint (sendBeacon)', () => {
    expect(expectPayload(decodeCaptureBody(request(gzipSync(json))))).toEqual(events);
  });

  it('inflates gzip marked by Content-Encoding (posthog-node)', () => {
    const body = gzipSync(JSON.stringify({ api_key: 'phc_test', batch: events }));
    const result = decodeCaptureBody(
      request(body, { contentType: 'application/json', contentEncoding: 'gzip' }),
    );
    expect(expectPayload(result)).toEqual({ api_key: 'phc_test', batch: events });
  });

  it('decodes ?compression=lz64 bodies made by lz-string', () => {
    const body = LZString.compressToBase64(json);
    expect(expectPayload(decodeCaptureBody(request(body, { query: { compression: 'lz64' } })))).toEqual(
      events,
    );
  });

  it('decodes a form with lz64 data and the hint in the form', () => {
    const body = new URLSearchParams({
      data: LZString.compressToBase64(json),
      compression: 'lz64',
    }).toString();
    const result = decodeCaptureBody(request(body, { contentType: 'application/x-www-form-urlencoded' }));
    expect(expectPayload(result)).toEqual(events);
  });

  it('decodes a base64 form body (posthog-js compression=base64, e.g. /flags)', () => {
    const body = `data=${encodeURIComponent(Buffer.from(json).toString('base64'))}`;
    const result = decodeCaptureBody(
      request(body, { contentType: 'application/x-www-form-urlencoded', query: { compression: 'base64' } }),
    );
    expect(expectPayload(result)).toEqual(events);
  });

  it('restores + signs that form decoding turned into spaces in base64 data', () => {
    const base64 = Buffer.from(JSON.stringify({ event: 'e', distinct_id: '>>>?', x: '~~~~' })).toString(
      'base64',
    );
    expect(base64).toContain('+');
    const body = `data=${base64}`; // not URL-encoded, as some older clients send it
    const result = decodeCaptureBody(request(body, { contentType: 'application/x-www-form-urlencoded' }));
    expect(expectPayload(result)).toEqual({ event: 'e', distinct_id: '>>>?', x: '~~~~' });
  });

  it('decodes a plain JSON form built with URLSearchParams', () => {
    const body = new URLSearchParams({ data: json, ver: '1.0.0' }).toString();
    const result = decodeCaptureBody(request(body, { contentType: 'application/x-www-form-urlencoded' }));
    expect(expectPayload(result)).toEqual(events);
  });

  it('recognizes a data= form even without its content type', () => {
    const body = new URLSearchParams({ data: Buffer.from(json).toString('base64') }).toString();
    expect(expectPayload(decodeCaptureBody(request(body, { contentType: 'text/plain' })))).toEqual(events);
  });

  it('decodes a bare base64 JSON body', () => {
    expect(expectPayload(decodeCaptureBody(request(Buffer.from(json).toString('base64'))))).toEqual(events);
  });

  it('reads ?data= when the body is empty', () => {
    const data = Buffer.from(json).toString('base64');
    expect(expectPayload(decodeCaptureBody(request(undefined, { query: { data } })))).toEqual(events);
    expect(expectPayload(decodeCaptureBody(request(Buffer.alloc(0), { query: { data: json } })))).toEqual(
      events,
    );
  });

  it('strips a UTF-8 byte order mark', () => {
    expect(expectPayload(decodeCaptureBody(request(`\uFEFF${json}`)))).toEqual(events);
  });

  it('refuses an empty request', () => {
    expect(decodeCaptureBody(request(undefined))).toEqual({
      ok: false,
      code: 'malformed',
      message: 'body is empty and there is no data query parameter',
    });
    expect(decodeCaptureBody(request('   ')).ok).toBe(false);
  });

  it('says what was wrong with a non-JSON body, and after which step', () => {
    expect(decodeCaptureBody(request('{"event": '))).toEqual({
      ok: false,
      code: 'malformed',
      message: 'body is not valid JSON',
    });
    expect(decodeCaptureBody(request(gzipSync('this is not json!')))).toEqual({
      ok: false,
      code: 'malformed',
      message: 'body is not valid JSON (after gzip decompression)',
    });
  });

  it('keeps the body content out of the error message', () => {
    const result = decodeCaptureBody(request('{"email": "secret@example.com" oops}'));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).not.toContain('secret');
  });

  it('refuses JSON that is not an object or an array', () => {
    expect(decodeCaptureBody(request('"hello"'))).toMatchObject({
      code: 'malformed',
      message: 'body must be a JSON object or array, not string',
    });
    expect(decodeCaptureBody(request('null'))).toMatchObject({ code: 'malformed' });
  });

  it('refuses a truncated gzip body as malformed', () => {
    const body = gzipSync(json);
    const result = decodeCaptureBody(request(body.subarray(0, body.length - 10)));
    expect(result).toEqual({ ok: false, code: 'malformed', message: 'body is not valid gzip data' });
  });

  it('refuses binary that claims to be gzip but is not', () => {
    const result = decodeCaptureBody(
      request(Buffer.from([0xff, 0xfe, 0x00, 0x81]), { contentEncoding: 'gzip' }),
    );
    expect(result).toMatchObject({
      code: 'malformed',
      message: 'body is marked as gzip but is neither gzip data nor text',
    });
  });

  it('refuses a raw body above maxBodyBytes as too_large', () => {
    const limits: CaptureLimits = { ...defaultCaptureLimits, maxBodyBytes: 100 };
    const result = decodeCaptureBody(request(JSON.stringify({ event: 'x'.repeat(200) })), limits);
    expect(result).toMatchObject({ ok: false, code: 'too_large' });
  });

  it('refuses a gzip bomb (100 MiB of zeros) as too_large without inflating it', () => {
    // 100 gzip members of 1 MiB of zeros each: ~100 KiB on the wire, 100 MiB inflated.
    const member = gzipSync(Buffer.alloc(1024 * 1024));
    const bomb = Buffer.concat(Array.from({ length: 100 }, () => member));
    expect(bomb.length).toBeLessThan(defaultCaptureLimits.maxBodyBytes);
    const result = decodeCaptureBody(request(bomb, { query: { compression: 'gzip-js' } }));
    expect(result).toEqual({
      ok: false,
      code: 'too_large',
      message: `body inflates to more than ${defaultCaptureLimits.maxDecodedBytes} bytes`,
    });
  });

  it('refuses an lz64 body that decompresses above maxDecodedBytes', () => {
    const limits: CaptureLimits = { ...defaultCaptureLimits, maxDecodedBytes: 10_000 };
    const body = LZString.compressToBase64(JSON.stringify([{ event: 'a'.repeat(50_000) }]));
    expect(decodeCaptureBody(request(body, { query: { compression: 'lz64' } }), limits)).toMatchObject({
      code: 'too_large',
    });
  });

  it('refuses garbage marked lz64 as malformed', () => {
    const result = decodeCaptureBody(request('!!!!', { query: { compression: 'lz64' } }));
    expect(result).toMatchObject({ ok: false, code: 'malformed' });
  });

  it('refuses payloads nested more than 64 levels deep, quickly and without a stack overflow', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(decodeCaptureBody(request(deep))).toEqual({
      ok: false,
      code: 'malformed',
      message: 'body nests JSON more than 64 levels deep',
    });
    const fine = `${'['.repeat(64)}${']'.repeat(64)}`;
    expect(decodeCaptureBody(request(fine)).ok).toBe(true);
  });

  it('stops unwrapping after a bounded number of layers', () => {
    let body = json;
    for (let i = 0; i < 10; i += 1) body = Buffer.from(body).toString('base64');
    expect(decodeCaptureBody(request(body))).toMatchObject({
      code: 'malformed',
      message: 'body is wrapped in too many layers of encoding',
    });
  });

  it('never throws on random bytes', () => {
    for (let seed = 1; seed <= 200; seed += 1) {
      const bytes = Buffer.from(Array.from({ length: seed * 7 }, (_, i) => (i * 31 + seed * 17) % 256));
      const result = decodeCaptureBody(request(bytes));
      expect(typeof result.ok).toBe('boolean');
    }
  });
});
