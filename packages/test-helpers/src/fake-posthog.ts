import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';

/** One request as the fake upstream received it. */
export interface ReceivedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export type FakeAnswer = (request: ReceivedRequest, response: ServerResponse) => void;

export interface FakePostHog {
  url: string;
  received: ReceivedRequest[];
  /** Sets how the next requests are answered (default: PostHog-like answers, CORS included). */
  answerWith(answer: FakeAnswer): void;
  /** Connections open right now (keep-alive ones included). */
  openConnections(): number;
  close(): Promise<void>;
}

/** What PostHog answers, as far as the tests need: CORS mirrored, JSON bodies, cacheable /static. */
export const posthogLikeAnswer =
  (
    options: {
      /** Feature flags `/flags` answers (a string is a variant). */
      flags?: Record<string, boolean | string>;
      /** Where `/static/<name>.js` is read from (posthog-js's `dist`); without it a one-line script. */
      staticDir?: string;
    } = {},
  ): FakeAnswer =>
  (request, response) => {
    const flags = options.flags ?? {};
    const origin = request.headers.origin;
    if (origin) {
      response.setHeader('access-control-allow-origin', origin);
      response.setHeader('access-control-allow-credentials', 'true');
      response.setHeader('vary', 'Origin');
    }
    const path = request.url.split('?')[0] ?? '';
    if (request.method === 'OPTIONS') {
      response.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
      response.setHeader(
        'access-control-allow-headers',
        request.headers['access-control-request-headers'] ?? '*',
      );
      response.writeHead(200).end();
    } else if (path.startsWith('/static/')) {
      response.setHeader('cache-control', 'public, max-age=86400');
      response.setHeader('etag', '"fake-static-1"');
      // `/static/<name>.js` or, with strict script versioning, `/static/<version>/<name>.js`.
      const name = /^\/static\/(?:[\d.]+\/)?([\w-]+\.js)$/.exec(path)?.[1];
      const file = options.staticDir ? join(options.staticDir, name ?? 'none') : undefined;
      if (file && name && existsSync(file)) {
        response.writeHead(200, { 'content-type': 'application/javascript' }).end(readFileSync(file));
      } else if (file) {
        response.writeHead(404).end();
      } else {
        response
          .writeHead(200, { 'content-type': 'application/javascript' })
          .end(`window.__fakeStatic = (window.__fakeStatic || []).concat(${JSON.stringify(path)});`);
      }
    } else if (/^\/array\/[^/]+\/config(\.js)?$/.test(path)) {
      response.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          token: path.split('/')[2],
          supportedCompression: ['gzip', 'gzip-js'],
          hasFeatureFlags: Object.keys(flags).length > 0,
          captureDeadClicks: false,
          capturePerformance: false,
          autocapture_opt_out: false,
          autocaptureExceptions: true,
          analytics: { endpoint: '/i/v0/e/' },
          elementsChainAsString: true,
          sessionRecording: { endpoint: '/s/', recorderVersion: 'v2', consoleLogRecordingEnabled: false },
          heatmaps: false,
          surveys: false,
          defaultIdentifiedOnly: true,
        }),
      );
    } else if (path.startsWith('/flags') || path.startsWith('/decide')) {
      response.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          flags: Object.fromEntries(
            Object.entries(flags).map(([key, value]) => [
              key,
              { key, enabled: value !== false, variant: typeof value === 'string' ? value : undefined },
            ]),
          ),
          featureFlags: flags,
          featureFlagPayloads: {},
          errorsWhileComputingFlags: false,
          requestId: 'fake-request-id',
        }),
      );
    } else {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"Ok"}');
    }
  };

/** A PostHog stand-in on 127.0.0.1 that records every request's method, URL, headers and body bytes. */
export async function startFakePostHog(answer: FakeAnswer = posthogLikeAnswer()): Promise<FakePostHog> {
  let current = answer;
  const received: ReceivedRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const entry = {
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks),
      };
      received.push(entry);
      current(entry, response);
    });
    request.on('error', () => {});
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    answerWith(next) {
      current = next;
    },
    openConnections: () => sockets.size,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
