import { IntercomError } from '@threadline/core';
import { IntercomTimeoutError, IntercomError as SdkError } from 'intercom-client';

function header(headers: unknown, name: string): string | undefined {
  if (headers && typeof (headers as Headers).get === 'function')
    return (headers as Headers).get(name) ?? undefined;
  return undefined;
}

/** How long to wait, from `Retry-After` (seconds) or `X-RateLimit-Reset` (epoch seconds). */
export function retryAfterMs(headers: unknown, now: Date): number | undefined {
  const retryAfter = Number(header(headers, 'retry-after'));
  if (Number.isFinite(retryAfter) && retryAfter >= 0) return retryAfter * 1000;
  const reset = Number(header(headers, 'x-ratelimit-reset'));
  if (Number.isFinite(reset) && reset > 0) return Math.max(0, reset * 1000 - now.getTime());
  return undefined;
}

/**
 * Turns whatever intercom-client threw into one of Threadline's error codes, the one place that
 * decides what is retryable.
 */
export function classifyIntercomError(error: unknown, now = new Date()): IntercomError {
  if (error instanceof IntercomError) return error;
  if (error instanceof IntercomTimeoutError)
    return new IntercomError('timeout', 'Intercom did not answer in time');
  if (error instanceof SdkError) {
    const status = error.statusCode;
    const headers = error.rawResponse?.headers;
    if (status === undefined) {
      // Some calls report the client's own timeout as a plain SDK error whose message is "timeout".
      if (/\btimeout\b/i.test(error.message) && !(error as { cause?: unknown }).cause)
        return new IntercomError('timeout', 'Intercom did not answer in time');
      return new IntercomError('unavailable', `Intercom could not be reached: ${describeCause(error)}`);
    }
    const detail = `Intercom answered ${status}`;
    if (status === 429) {
      const wait = retryAfterMs(headers, now);
      return new IntercomError('rate_limited', `${detail} (rate limited)`, {
        status,
        ...(wait === undefined ? {} : { retryAfterMs: wait }),
      });
    }
    if (status === 401)
      return new IntercomError('unauthorized', `${detail}: the access token was refused`, { status });
    if (status === 403)
      return new IntercomError('forbidden', `${detail}: the token lacks a permission`, { status });
    if (status === 404) return new IntercomError('not_found', `${detail}: not found`, { status });
    if (status !== undefined && status >= 400 && status < 500) {
      return new IntercomError('bad_request', `${detail}: ${summarize(error.body)}`, { status });
    }
    return new IntercomError('unavailable', detail, { status });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new IntercomError('unavailable', `Intercom could not be reached: ${message}`);
}

function describeCause(error: Error): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return [error.message, cause?.code ?? cause?.message].filter(Boolean).join(': ');
}

function summarize(body: unknown): string {
  const errors = (body as { errors?: { code?: string; message?: string }[] } | undefined)?.errors;
  if (Array.isArray(errors) && errors.length > 0) {
    return errors.map((item) => [item.code, item.message].filter(Boolean).join(': ')).join('; ');
  }
  return 'request refused';
}
