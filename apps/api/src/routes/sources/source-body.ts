import { type CaptureLimits, decodeCaptureBody } from '@threadline/capture';
import type { FastifyInstance, FastifyRequest } from 'fastify';

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Bodies of a source's routes stay raw bytes (analytics.js sends JSON as `text/plain`, RudderStack
 * and Amplitude may gzip), bounded by the source's own limit; decoding is PostHog capture's.
 */
export function acceptRawBodies(app: FastifyInstance, maxBodyBytes: number): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: maxBodyBytes }, (_request, body, done) =>
    done(null, body),
  );
}

/**
 * The request's body decoded (gzip by its magic bytes, JSON, base64…), with a bound on its decoded
 * size: the raw size, or the limit itself for a body that may have been compressed.
 */
export function decodeSourceBody(request: FastifyRequest, limits: CaptureLimits) {
  const body = Buffer.isBuffer(request.body) ? request.body : undefined;
  const isPlainJson = body !== undefined && (body[0] === 0x7b || body[0] === 0x5b);
  const decodedBytes = isPlainJson ? body.length : limits.maxDecodedBytes;
  const decoded = decodeCaptureBody(
    {
      body,
      contentType: header(request.headers['content-type']),
      contentEncoding: header(request.headers['content-encoding']),
      query: {},
    },
    limits,
  );
  return decoded.ok ? { ...decoded, decodedBytes } : decoded;
}

/** The write key of `Authorization: Basic base64(<writeKey>:)`, as Segment and RudderStack send it. */
export function basicAuthUser(request: FastifyRequest): string | undefined {
  return basicAuthUserOf(request.headers.authorization);
}

/** `basicAuthUser` of an `Authorization` header's value. */
export function basicAuthUserOf(value: string | string[] | undefined): string | undefined {
  const authorization = header(value);
  if (!authorization || !/^basic /i.test(authorization)) return undefined;
  const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const user = (colon === -1 ? decoded : decoded.slice(0, colon)).trim();
  return user === '' ? undefined : user;
}

/** `Authorization: Bearer <token>`, or undefined. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const authorization = header(request.headers.authorization);
  if (!authorization || !/^bearer /i.test(authorization)) return undefined;
  const token = authorization.slice(7).trim();
  return token === '' ? undefined : token;
}

/**
 * CORS for a source's browser paths, without credentials: analytics.js posts `text/plain` (no
 * preflight, but the answer must be readable), Amplitude's browser SDK posts JSON (preflight).
 */
export function allowBrowserOrigins(app: FastifyInstance, preflightPaths: readonly string[]): void {
  app.addHook('onRequest', async (request, reply) => {
    const origin = header(request.headers.origin);
    if (origin) reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
  });
  for (const path of preflightPaths) {
    app.options(path, async (request, reply) => {
      const requested = header(request.headers['access-control-request-headers']);
      return reply
        .code(204)
        .header('access-control-allow-methods', 'POST, OPTIONS')
        .header('access-control-allow-headers', requested ?? 'content-type')
        .header('access-control-max-age', '86400')
        .send();
    });
  }
}
