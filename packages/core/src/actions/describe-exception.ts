import { cleanText, MAX_VALUE_LENGTH } from './clean-text.js';
import type { ResolvedDescribeOptions } from './describe-options.js';
import { readText } from './read-property.js';

const MAX_TYPE_LENGTH = 40;

function firstException(properties: Record<string, unknown>): { type?: string; message?: string } {
  const list = properties.$exception_list;
  const first: unknown = Array.isArray(list) ? list[0] : undefined;
  if (typeof first === 'object' && first !== null) {
    const exception = first as Record<string, unknown>;
    return { type: readText(exception, 'type'), message: readText(exception, 'value') };
  }
  return {
    type: readText(properties, '$exception_type'),
    message: readText(properties, '$exception_message'),
  };
}

/** `Saw an error on <page>: <type>: "<message>"` from `$exception_list[0]` or the legacy properties. */
export function describeException(
  properties: Record<string, unknown>,
  page: string | undefined,
  options: ResolvedDescribeOptions,
): string {
  const exception = firstException(properties);
  const type = cleanText(exception.type ?? '', MAX_TYPE_LENGTH, options.redaction);
  const message = cleanText(exception.message ?? '', MAX_VALUE_LENGTH, options.redaction);
  const detail = [type, message ? `"${message}"` : ''].filter(Boolean).join(': ');
  return `Saw an error${page ? ` on ${page}` : ''}${detail ? `: ${detail}` : ''}`;
}
