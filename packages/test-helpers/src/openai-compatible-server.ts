import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One chat completions request as the server received it. */
export interface RecordedChatRequest {
  headers: IncomingMessage['headers'];
  body: {
    model?: string;
    messages?: { role: string; content: string }[];
    max_tokens?: number;
    max_completion_tokens?: number;
    [key: string]: unknown;
  };
}

/** How the next requests are answered, in order; when none is queued, `reply` with a fixed text. */
export type ChatAnswer =
  | { kind: 'reply'; content: string | null; finishReason?: string }
  | { kind: 'error'; status: number; message?: string }
  /** Never answers (until the server closes): past any client timeout. */
  | { kind: 'hang' }
  /** 200 with a body that is not a chat completion. */
  | { kind: 'garbage'; body: string };

export interface OpenAiCompatibleServer {
  /** Base URL as the openai SDK wants it, ending in `/v1`. */
  baseUrl: string;
  requests: RecordedChatRequest[];
  /** Queues answers for the next requests (each used once). */
  answerNext(...answers: ChatAnswer[]): void;
  /** The answer when nothing is queued. */
  setDefault(answer: ChatAnswer): void;
  close(): Promise<void>;
}

function completion(model: string, content: string | null, finishReason: string) {
  return {
    id: `chatcmpl-test-${Date.now()}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      { index: 0, message: { role: 'assistant', content, refusal: null }, finish_reason: finishReason },
    ],
    usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
  };
}

/**
 * A local OpenAI-compatible HTTP server answering `POST /v1/chat/completions` in OpenAI's response
 * shape, recording every request; able to answer errors, junk, or nothing at all.
 */
export async function startOpenAiCompatibleServer(
  defaultAnswer: ChatAnswer = { kind: 'reply', content: 'The user tried to pay and the card was refused.' },
): Promise<OpenAiCompatibleServer> {
  const requests: RecordedChatRequest[] = [];
  const queued: ChatAnswer[] = [];
  let fallback = defaultAnswer;
  const hanging = new Set<ServerResponse>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== '/v1/chat/completions') {
        response.writeHead(404, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { message: 'not found', type: 'invalid_request_error' } }));
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as RecordedChatRequest['body'];
      requests.push({ headers: request.headers, body });
      const answer = queued.shift() ?? fallback;
      switch (answer.kind) {
        case 'reply':
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(
            JSON.stringify(completion(body.model ?? 'test', answer.content, answer.finishReason ?? 'stop')),
          );
          return;
        case 'error':
          response.writeHead(answer.status, { 'content-type': 'application/json' });
          response.end(
            JSON.stringify({ error: { message: answer.message ?? 'injected error', type: 'server_error' } }),
          );
          return;
        case 'garbage':
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(answer.body);
          return;
        case 'hang':
          hanging.add(response);
          response.on('close', () => hanging.delete(response));
          return;
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    answerNext: (...answers) => queued.push(...answers),
    setDefault: (answer) => {
      fallback = answer;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const response of hanging) response.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      });
      return closing;
    },
  };
}
