import { answerCanvasRequest, verifyCanvasSignature } from '@threadline/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiDependencies } from '../../dependencies.js';

/** Canvas Kit requests are small JSON documents; anything larger is not one. */
const bodyLimit = 256 * 1024;

/**
 * No time limit is written in the Canvas Kit pages we could read; Intercom favours webhook answers
 * under 500 ms, so a slow read gives up well within a second and the canvas says so (Refresh retries).
 */
const readDeadlineMs = 800;

/**
 * The Intercom Inbox app (Canvas Kit): `POST /intercom/canvas/initialize` when a teammate opens a
 * conversation, `/submit` when they press Refresh. The body stays raw bytes until `X-Body-Signature`
 * matches; only then is it parsed.
 */
export async function canvasRoutes(app: FastifyInstance, options: { deps: ApiDependencies }) {
  const { deps } = options;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_request, body, done) => done(null, body));

  async function handle(request: FastifyRequest, reply: FastifyReply) {
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const header = request.headers['x-body-signature'];
    const secret = deps.config.intercom.clientSecret ?? '';
    if (!verifyCanvasSignature(raw, typeof header === 'string' ? header : undefined, secret)) {
      request.log.info({ outcome: 'bad_signature' }, 'canvas request refused');
      return reply.code(401).send({
        error: 'bad_signature',
        message: 'X-Body-Signature must be the hex HMAC-SHA256 of the body with the app client secret',
      });
    }
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      return reply.code(400).send({ error: 'malformed', message: 'the body is not JSON' });
    }
    const outcome = await answerCanvasRequest(body, {
      activity: deps.activity,
      productId: deps.config.productId,
      identityMode: deps.config.capture.identity,
      deadlineMs: readDeadlineMs,
      now: deps.now,
    });
    switch (outcome.kind) {
      case 'canvas':
        return reply.code(200).send(outcome.canvas);
      case 'malformed':
        return reply.code(400).send({ error: 'malformed', message: outcome.message });
    }
  }

  app.post('/intercom/canvas/initialize', handle);
  app.post('/intercom/canvas/submit', handle);
}
