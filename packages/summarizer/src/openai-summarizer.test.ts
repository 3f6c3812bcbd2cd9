import { SummarizerError } from '@threadline/core';
import { type OpenAiCompatibleServer, startOpenAiCompatibleServer } from '@threadline/test-helpers';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OpenAiSummarizer } from './openai-summarizer.js';

let server: OpenAiCompatibleServer;
const prompt = { system: 'system text', user: '<activity>\n[1] Viewed /a\n</activity>' };

function summarizer(timeoutMs = 2000) {
  return new OpenAiSummarizer({
    apiKey: 'sk-test',
    baseUrl: server.baseUrl,
    model: 'test-model',
    timeoutMs,
    maxRetries: 1,
  });
}

async function failure(promise: Promise<unknown>): Promise<SummarizerError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof SummarizerError))
    throw new Error(`expected a SummarizerError, got ${String(error)}`);
  return error;
}

beforeAll(async () => {
  server = await startOpenAiCompatibleServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
  server.setDefault({ kind: 'reply', content: 'The user tried to pay.' });
});

describe('OpenAiSummarizer against an OpenAI-compatible server', () => {
  it('sends the prompt with the model, a bounded output and the key; returns the text', async () => {
    expect(await summarizer().write(prompt)).toBe('The user tried to pay.');
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request?.headers.authorization).toBe('Bearer sk-test');
    expect(request?.body).toMatchObject({
      model: 'test-model',
      max_completion_tokens: 400,
      messages: [
        { role: 'system', content: 'system text' },
        { role: 'user', content: prompt.user },
      ],
    });
  });

  it('retries a 5xx once, then reports it unavailable', async () => {
    server.setDefault({ kind: 'error', status: 503 });
    expect((await failure(summarizer().write(prompt))).reason).toBe('unavailable');
    expect(server.requests).toHaveLength(2);
  });

  it('does not retry a refusal (400)', async () => {
    server.setDefault({ kind: 'error', status: 400, message: 'bad model' });
    expect((await failure(summarizer().write(prompt))).reason).toBe('refused');
    expect(server.requests).toHaveLength(1);
  });

  it('gives up on a server that never answers, after its timeout and one retry', async () => {
    server.setDefault({ kind: 'hang' });
    expect((await failure(summarizer(200).write(prompt))).reason).toBe('timeout');
    expect(server.requests).toHaveLength(2);
  });

  it('calls an empty answer or a body that is not a completion junk', async () => {
    server.answerNext(
      { kind: 'reply', content: null },
      { kind: 'garbage', body: '<html>proxy error</html>' },
    );
    expect((await failure(summarizer().write(prompt))).reason).toBe('junk');
    expect((await failure(summarizer().write(prompt))).reason).toBe('junk');
  });
});
