import { isJsonObject, type JsonObject, nonEmptyString } from './json-value.js';

/** The project key a request carries, or the reason it is ambiguous. */
export type ApiKeyResult = { ok: true; apiKey: string | undefined } | { ok: false; message: string };

/** The key one event carries: top-level `token`, `$token` or `api_key`, else `properties.token`. */
export function eventApiKey(event: unknown): string | undefined {
  if (!isJsonObject(event)) return undefined;
  const topLevel =
    nonEmptyString(event.token) ?? nonEmptyString(event.$token) ?? nonEmptyString(event.api_key);
  if (topLevel !== undefined) return topLevel.trim();
  return isJsonObject(event.properties) ? nonEmptyString(event.properties.token)?.trim() : undefined;
}

/**
 * Resolves a request's project key as PostHog's capture does: the batch-level `api_key`/`token`
 * wins and then covers every event in the batch; otherwise the events' own keys, which must all
 * agree (PostHog refuses a request whose events name different projects).
 */
export function resolveApiKey(batch: JsonObject | undefined, events: unknown[]): ApiKeyResult {
  const batchKey =
    batch === undefined ? undefined : (nonEmptyString(batch.api_key) ?? nonEmptyString(batch.token));
  if (batchKey !== undefined) return { ok: true, apiKey: batchKey.trim() };
  const keys = new Set<string>();
  for (const event of events) {
    const key = eventApiKey(event);
    if (key !== undefined) keys.add(key);
  }
  if (keys.size > 1) return { ok: false, message: 'events in this request carry different project keys' };
  return { ok: true, apiKey: keys.values().next().value };
}
