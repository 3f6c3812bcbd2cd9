import { timingSafeEqual } from 'node:crypto';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiDependencies } from '../../dependencies.js';

const basePath = '/admin/queues';

function sameToken(received: string, expected: string): boolean {
  const a = Buffer.from(received);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** `Authorization: Bearer <ADMIN_TOKEN>`, or HTTP Basic with the token as password (for browsers). */
function presentedToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization ?? '';
  if (header.startsWith('Bearer ')) return header.slice('Bearer '.length).trim();
  if (header.startsWith('Basic ')) {
    const decoded = Buffer.from(header.slice('Basic '.length), 'base64').toString('utf8');
    return decoded.slice(decoded.indexOf(':') + 1);
  }
  return undefined;
}

/**
 * `/admin/queues`: the Bull Board dashboard, only when ADMIN_TOKEN is set, and only for requests that
 * carry it. Without ADMIN_TOKEN the routes do not exist (404).
 */
export async function adminRoutes(app: FastifyInstance, options: { deps: ApiDependencies }) {
  const adminToken = options.deps.config.adminToken;
  if (!adminToken) return;
  app.addHook('onRequest', async (request, reply) => {
    const token = presentedToken(request);
    if (token && sameToken(token, adminToken)) return;
    return reply.code(401).header('www-authenticate', 'Basic realm="Threadline admin"').send({
      error: 'unauthorized',
      message: 'the admin routes need ADMIN_TOKEN as a bearer token or Basic password',
    });
  });
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(basePath);
  createBullBoard({
    queues: Object.values(options.deps.queues.queues).map((queue) => new BullMQAdapter(queue)),
    serverAdapter,
  });
  await app.register(serverAdapter.registerPlugin(), { prefix: basePath });
}
