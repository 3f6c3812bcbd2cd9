/**
 * The two servers `bench/passthrough.ts` runs beside Threadline, each as a process of its own
 * (`tsx apps/api/test/passthrough-bench-targets.ts upstream|proxy [upstream URL]`; it prints its URL):
 * a PostHog stand-in that reads each body and answers as PostHog does, and the proxy library alone
 * (@fastify/reply-from with the passthrough's pool and timeouts, no copy). Lives here so it resolves
 * the API's own dependencies.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import replyFrom from '@fastify/reply-from';
import Fastify from 'fastify';

async function startUpstream(): Promise<string> {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"Ok"}');
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function startBareProxy(upstream: string): Promise<string> {
  const app = Fastify({ logger: false });
  await app.register(replyFrom, {
    undici: {
      connections: 128,
      keepAliveTimeout: 30_000,
      connect: { timeout: 10_000 },
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
    },
    disableRequestLogging: true,
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
  app.route({
    method: ['GET', 'POST'],
    url: '/*',
    handler: (request, reply) =>
      reply.from(`${upstream}${request.url.split('?')[0]}`, {
        rewriteRequestHeaders: (incoming, headers) => ({ ...headers, 'x-forwarded-for': incoming.ip }),
        retryDelay: () => null,
      }),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

const [role, upstream] = process.argv.slice(2);
if (role === 'upstream') process.stdout.write(`${await startUpstream()}\n`);
else if (role === 'proxy' && upstream) process.stdout.write(`${await startBareProxy(upstream)}\n`);
else {
  process.stderr.write('usage: passthrough-bench-targets.ts upstream | proxy <upstream URL>\n');
  process.exit(2);
}
