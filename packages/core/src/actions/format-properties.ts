import type { RedactionOptions } from '../redaction/index.js';
import { cleanText } from './clean-text.js';

const MAX_PROPERTY_VALUE_LENGTH = 40;
const MAX_PROPERTIES = 6;

/**
 * Renders the allowlisted, scalar properties of a custom event as `(plan: Pro, step: 2)`, values
 * redacted and shortened; empty string when there is none.
 */
export function formatProperties(
  properties: Record<string, unknown>,
  allowlist: readonly string[],
  redaction: RedactionOptions = {},
): string {
  const parts: string[] = [];
  for (const key of allowlist) {
    if (parts.length >= MAX_PROPERTIES) break;
    if (!Object.hasOwn(properties, key)) continue;
    const value = properties[key];
    if (
      typeof value !== 'string' &&
      typeof value !== 'boolean' &&
      !(typeof value === 'number' && Number.isFinite(value))
    ) {
      continue;
    }
    const text = cleanText(String(value), MAX_PROPERTY_VALUE_LENGTH, redaction);
    if (text !== '') parts.push(`${cleanText(key, MAX_PROPERTY_VALUE_LENGTH, redaction)}: ${text}`);
  }
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}
