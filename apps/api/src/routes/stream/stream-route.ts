import { randomUUID } from 'node:crypto';
import { type FeedEntry, isProductAllowed } from '@threadline/core';
import type { FastifyInstance } from 'fastify';
import type { ApiDependencies } from '../../dependencies.js';
import { forbiddenBody, grantOf, requireAccess } from '../activity/require-access.js';
import { ProductFeedHub } from './product-feed-hub.js';
import { compareFeedIds, SseConnection } from './sse-connection.js';

const feedIdPattern = /^\d{1,16}-\d{1,10}$/;
const catchUpPage = 1000;

/**
 * `GET /v1/stream/:productId`: every new action of the product as Server-Sent Events, for the
 * product's bearer keys (401, 403 and 429 as the activity route). `Last-Event-ID` resumes after that
 * id, without gaps or doubles, as long as the feed still holds it (STREAM_RETENTION_S).
 */
export async function streamRoute(app: FastifyInstance, options: { deps: ApiDependencies }) {
  const { deps } = options;
  const settings = deps.config.stream;
  const hub = new ProductFeedHub(deps.productFeed, deps.openBlockingRedis, deps.logger);
  const open = new Set<SseConnection>();
  // Before the server stops: each stream says why it ends, so clients reconnect elsewhere at once.
  app.addHook('preClose', async () => {
    for (const connection of open) connection.end('shutting_down');
    hub.close();
  });
  app.addHook('onRequest', requireAccess(deps));
  app.get<{ Params: { productId: string } }>('/v1/stream/:productId', async (request, reply) => {
    const grant = grantOf(request);
    const { productId } = request.params;
    if (!isProductAllowed(grant, productId))
      return reply.code(403).send(forbiddenBody(grant.productId, productId));
    const given = request.headers['last-event-id'];
    if (given !== undefined && (typeof given !== 'string' || !feedIdPattern.test(given.trim())))
      return reply.code(400).send({
        error: 'invalid_last_event_id',
        message: 'Last-Event-ID must be an id this stream sent (like 1733100000000-0)',
      });
    const streamId = randomUUID();
    if (!(await deps.streamLeases.take(grant.keyId, streamId, settings.maxPerKey)))
      return reply
        .code(429)
        .header('retry-after', '5')
        .send({
          error: 'too_many_streams',
          message: `this access key already holds ${settings.maxPerKey} open streams (STREAM_MAX_PER_KEY); close one first`,
        });
    const startAfter = typeof given === 'string' ? given.trim() : await deps.productFeed.latestId(productId);
    const connection = new SseConnection(reply.raw, startAfter, settings.maxBufferBytes);
    const oldestKept = typeof given === 'string' ? await deps.productFeed.oldestId(productId) : '0-0';
    reply.hijack();
    connection.open();
    if (oldestKept !== '0-0' && compareFeedIds(oldestKept, startAfter) > 0) connection.gap(oldestKept);
    open.add(connection);
    request.log.info({ productId, resumed: given !== undefined }, 'stream opened');

    let isLive = false;
    const waiting: FeedEntry[] = [];
    const unsubscribe = await hub.subscribe(productId, (entries) => {
      if (isLive) connection.send(entries);
      else waiting.push(...entries);
    });
    const heartbeat = setInterval(() => {
      connection.heartbeat();
      void deps.streamLeases.renew(grant.keyId, streamId).catch(() => undefined);
    }, settings.heartbeatMs);
    reply.raw.once('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      open.delete(connection);
      void deps.streamLeases.release(grant.keyId, streamId).catch(() => undefined);
      request.log.info({ productId }, 'stream closed');
    });
    // Catch up from Redis after subscribing: what the hub passes on from here is buffered meanwhile,
    // and the connection drops whatever it already sent.
    try {
      for (;;) {
        const page = await deps.productFeed.readAfter(productId, connection.lastEventId, catchUpPage);
        connection.send(page);
        if (page.length < catchUpPage || !connection.isOpen) break;
      }
    } catch (error) {
      request.log.warn({ err: error }, 'stream catch-up failed');
      reply.raw.destroy();
      return;
    }
    isLive = true;
    connection.send(waiting.splice(0));
  });
}
