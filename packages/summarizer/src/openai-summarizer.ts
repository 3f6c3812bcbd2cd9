import { type Summarizer, SummarizerError, type SummaryPrompt } from '@threadline/core';
import OpenAI from 'openai';

export interface OpenAiSummarizerOptions {
  /** OPENAI_API_KEY. */
  apiKey: string;
  /** OPENAI_BASE_URL, with the API version path like the SDK's (`https://api.openai.com/v1`, the default). */
  baseUrl?: string | undefined;
  /** OPENAI_MODEL. */
  model: string;
  /** OPENAI_TIMEOUT_MS: one attempt's limit (the SDK's default is 10 minutes). */
  timeoutMs: number;
  /** Retries after the first attempt (429, 5xx, timeouts, connection errors). Default 1. */
  maxRetries?: number;
  /** Most tokens the model may write. Default 400. */
  maxOutputTokens?: number;
}

export const defaultOpenAiBaseUrl = 'https://api.openai.com/v1';

/**
 * The LLM summary writer over the openai SDK: any OpenAI-compatible chat completions server. Every
 * failure (HTTP error, timeout, refusal, empty answer) becomes a {@link SummarizerError}, so the
 * caller falls back to the extractive summarizer.
 */
export class OpenAiSummarizer implements Summarizer {
  readonly name: string;
  private readonly client: OpenAI;
  private readonly model: string;
  private readonly maxOutputTokens: number;

  constructor(options: OpenAiSummarizerOptions) {
    // Everything explicit: the SDK would otherwise read OPENAI_* from the environment itself.
    this.client = new OpenAI({
      apiKey: options.apiKey,
      baseURL: options.baseUrl ?? defaultOpenAiBaseUrl,
      timeout: options.timeoutMs,
      maxRetries: options.maxRetries ?? 1,
    });
    this.model = options.model;
    this.maxOutputTokens = options.maxOutputTokens ?? 400;
    this.name = `LLM ${options.model}`;
  }

  async write(prompt: SummaryPrompt): Promise<string> {
    let completion: OpenAI.Chat.Completions.ChatCompletion;
    try {
      completion = await this.client.chat.completions.create({
        model: this.model,
        messages: [
          { role: 'system', content: prompt.system },
          { role: 'user', content: prompt.user },
        ],
        // `max_completion_tokens` is the current name (`max_tokens` is refused by reasoning models).
        max_completion_tokens: this.maxOutputTokens,
        temperature: 0.2,
      });
    } catch (error) {
      throw classifyOpenAiError(error);
    }
    const choice = completion?.choices?.[0];
    const content = choice?.message?.content;
    if (typeof content !== 'string' || content.trim() === '')
      throw new SummarizerError('junk', 'the model answered without text');
    if (choice?.finish_reason === 'content_filter')
      throw new SummarizerError('refused', 'the model answer was filtered');
    return content;
  }
}

/** Turns whatever the SDK threw into one reason (the metric's label). */
export function classifyOpenAiError(error: unknown): SummarizerError {
  if (error instanceof SummarizerError) return error;
  if (error instanceof OpenAI.APIConnectionTimeoutError)
    return new SummarizerError('timeout', 'the LLM did not answer in time');
  if (error instanceof OpenAI.APIConnectionError)
    return new SummarizerError('unavailable', `the LLM could not be reached: ${error.message}`);
  if (error instanceof OpenAI.RateLimitError)
    return new SummarizerError('rate_limited', 'the LLM answered 429 (rate limited)');
  if (error instanceof OpenAI.APIError) {
    const status = error.status;
    if (status !== undefined && status >= 500)
      return new SummarizerError('unavailable', `the LLM answered ${status}`);
    return new SummarizerError('refused', `the LLM answered ${status ?? 'an error'}: ${error.message}`);
  }
  // A body that is not a chat completion (the SDK's JSON parse failing, a proxy's HTML page…).
  return new SummarizerError('junk', `the LLM answer could not be read: ${String(error)}`);
}
