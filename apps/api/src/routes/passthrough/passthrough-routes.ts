import replyFrom from '@fastify/reply-from';
import type { CopySource } from '@threadline/core';
import type { Logger } from '@threadline/observability';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RecordCaptureCopy } from './capture-copy.js';
import { CopyQueue } from './copy-queue.js';
import { type BodyTee, BodyTooLargeError, teeBody } from './tee-body.js';
import type { UpstreamDefinition } from './upstream-definition.js';

/**
 * Copies recorded at once, and copies (bodies) waiting to be; beyond them a copy is shed. About a
 * second of capture's pace waits at most, so the copies' backlog never grows into the proxy's latency.
 */
const copyLimits = { maxRunning: 32, maxWaiting: 1000, maxWaitingBytes: 16 * 1024 * 1024 };

/** The most of a request body Threadline copies for itself: capture's own limit (larger ones are refused there). */
const copyUpToBytes = 1024 * 1024;

/**
 * Threadline's own areas: never forwarded, even for a method they do not serve (an `OPTIONS /mcp`
 * forwarded to PostHog would come back with PostHog's CORS answer and open /mcp to pages).
 */
const threadlinePaths = ['/admin', '/healthz', '/mcp', '/metrics', '/readyz', '/v1', '/webhooks'];

function isThreadlinePath(path: string): boolean {
  return threadlinePaths.some((own) => path === own || path.startsWith(`${own}/`));
}

function isUnder(path: string, prefix: string): boolean {
  return prefix === '/' || path === prefix || path.startsWith(`${prefix}/`);
}

const timeoutCodes = new Set(['FST_REPLY_FROM_GATEWAY_TIMEOUT', 'FST_REPLY_FROM_CONNECT_TIMEOUT']);

export interface PassthroughOptions {
  upstreams: UpstreamDefinition[];
  recordCopy: RecordCaptureCopy;
  /** UPSTREAM_TIMEOUT_MS: connect, first byte of the answer, and each pause in a body. */
  timeoutMs: number;
  logger: Logger;
  /** Closes what records the copies, once the last copy in flight is recorded. */
  closeRecorder(): Promise<void>;
}

/**
 * Transparent, teeing reverse proxy: each request of a configured source goes to its upstream as the
 * client sent it (the raw bytes, streamed; Host rewritten; X-Forwarded-For the client IP; no cookies),
 * and the upstream's status, headers and body come back unchanged. Capture requests are also recorded
 * by Threadline from the same bytes, beside the forwarding: nothing Threadline decides about its copy
 * changes the answer.
 */
export async function passthroughRoutes(app: FastifyInstance, options: PassthroughOptions) {
  const { upstreams, recordCopy, logger } = options;
  await app.register(replyFrom, {
    // One undici Agent: a keep-alive pool per upstream origin.
    undici: {
      connections: 128,
      keepAliveTimeout: 30_000,
      connect: { timeout: options.timeoutMs },
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    },
    // Request logs carry route patterns, never URLs (a capture URL can carry `?data=`).
    disableRequestLogging: true,
  });

  const tees = new WeakMap<FastifyRequest, BodyTee>();
  const recording = new Set<Promise<unknown>>();
  app.addHook('onClose', async () => {
    await Promise.allSettled([...recording]);
    await options.closeRecorder();
  });

  // The body is never parsed here: the parser hands reply-from a stream of the bytes as received.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (request, payload, done) => {
    const path = request.url.split('?')[0] ?? '';
    const upstream = upstreams.find((candidate) => isUnder(path, candidate.prefix));
    const tee = teeBody(payload, {
      maxBytes: upstream?.maxBodyBytes ?? 0,
      copyUpToBytes: upstream?.isCopied(path) ? copyUpToBytes : 0,
    });
    tees.set(request, tee);
    done(null, tee.upstream);
  });

  const copies = new CopyQueue(copyLimits);
  let shedReportedAt = 0;
  const reportShed = () => {
    if (Date.now() - shedReportedAt < 10_000) return;
    shedReportedAt = Date.now();
    logger.warn(
      { shed: copies.shed },
      'capture copies shed: more load than the spool takes; the upstream still got them',
    );
  };

  /**
   * Records the copy once the client has sent the whole body and `due` has settled: after the answer
   * went out (so the copy's CPU never sits between PostHog's answer and the client), or at once when
   * the upstream failed. Resolves when the copy was recorded or shed; never rejects.
   */
  const recordWhenComplete = (
    request: FastifyRequest,
    source: CopySource,
    path: string,
    query: string,
    tee: BodyTee | undefined,
    due: Promise<void>,
  ) => {
    const receivedAt = Date.now();
    const started = (async () => {
      const body = tee ? await tee.copied : ({ kind: 'complete', bytes: Buffer.alloc(0) } as const);
      if (body.kind !== 'complete') {
        if (body.kind === 'too_large') logger.debug({ path }, 'capture copy: body too large to record');
        return;
      }
      await due;
      await new Promise<void>((resolve) => {
        const isQueued = copies.offer(body.bytes.length, async () => {
          try {
            const result = await recordCopy({
              source,
              method: request.method,
              path,
              query,
              headers: request.headers,
              rawBody: body.bytes,
              ip: request.ip,
              receivedAt,
            });
            // The spooler counts and reports its failures (at most every 10 s).
            if (result.outcome === 'failed') logger.debug({ err: result.error, path }, 'capture copy failed');
          } finally {
            resolve();
          }
        });
        if (!isQueued) {
          reportShed();
          resolve();
        }
      });
    })().catch((error: unknown) => logger.warn({ err: error, path }, 'capture copy failed'));
    recording.add(started);
    void started.finally(() => recording.delete(started));
    return started;
  };

  const refuse = (
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    error: string,
    message: string,
  ) => {
    // posthog-js reads the status only if the browser lets it: mirror the origin as PostHog does.
    const origin = request.headers.origin;
    if (origin) reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
    return reply.code(status).send({ error, message });
  };

  const forward = async (request: FastifyRequest, reply: FastifyReply) => {
    const [path = '', ...rest] = request.url.split('?');
    const query = rest.length > 0 ? `?${rest.join('?')}` : '';
    const upstream = isThreadlinePath(path)
      ? undefined
      : upstreams.find((candidate) => isUnder(path, candidate.prefix));
    if (!upstream) return reply.callNotFound();
    const declaredLength = Number(request.headers['content-length'] ?? 0);
    if (declaredLength > upstream.maxBodyBytes) {
      // The unread body makes the connection unusable for a next request.
      reply.header('connection', 'close');
      return refuse(
        request,
        reply,
        413,
        'too_large',
        `the body is larger than ${upstream.maxBodyBytes} bytes`,
      );
    }
    const tee = tees.get(request);
    let releaseCopy: () => void = () => {};
    const due = new Promise<void>((resolve) => {
      releaseCopy = resolve;
    });
    reply.raw.once('close', releaseCopy);
    const copy = upstream.isCopied(path)
      ? recordWhenComplete(request, upstream.source, path, query, tee, due)
      : undefined;
    return reply.from(upstream.targetOf(path), {
      rewriteRequestHeaders: (incoming, headers) => {
        const { cookie: _cookie, forwarded: _forwarded, 'x-real-ip': _realIp, ...kept } = headers;
        return { ...kept, 'x-forwarded-for': incoming.ip };
      },
      rewriteHeaders: (headers) => {
        const { 'set-cookie': _setCookie, ...kept } = headers;
        return kept;
      },
      // A retried request could reach PostHog twice; the client retries by itself.
      retryDelay: () => null,
      onError: (_failedReply, { error }) => {
        const code = (error as { code?: string }).code ?? '';
        const cause = (error as { cause?: unknown }).cause;
        const answer = () => {
          if (reply.sent || reply.raw.destroyed) return;
          if (tee?.isTooLarge() || cause instanceof BodyTooLargeError) {
            refuse(
              request,
              reply,
              413,
              'too_large',
              `the body is larger than ${upstream.maxBodyBytes} bytes`,
            );
          } else if (timeoutCodes.has(code)) {
            refuse(
              request,
              reply,
              504,
              'upstream_timeout',
              `${upstream.source} did not answer in time; retry`,
            );
          } else {
            refuse(
              request,
              reply,
              502,
              'upstream_unreachable',
              `${upstream.source} could not be reached; retry`,
            );
          }
        };
        logger.warn({ source: upstream.source, code, path }, 'upstream request failed');
        // The copy is recorded before the client hears the failure, so its retry is a duplicate.
        releaseCopy();
        if (copy) void copy.finally(answer);
        else answer();
      },
    });
  };

  for (const upstream of upstreams) {
    const url = upstream.prefix === '/' ? '/*' : `${upstream.prefix}/*`;
    app.route({ method: ['GET', 'POST', 'OPTIONS'], url, handler: forward });
    if (upstream.prefix !== '/')
      app.route({ method: ['GET', 'POST', 'OPTIONS'], url: upstream.prefix, handler: forward });
  }
}
