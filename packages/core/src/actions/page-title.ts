import type { RedactionOptions } from '../redaction/index.js';
import { cleanText, MAX_VALUE_LENGTH } from './clean-text.js';

/**
 * The page's own part of a document title: `Billing | Acme` gives `Billing`. Only the last separated
 * part is dropped, since that is where sites put their name.
 */
export function pageTitle(title: string, redaction: RedactionOptions = {}): string {
  const cleaned = cleanText(title, MAX_VALUE_LENGTH * 2, redaction);
  const separator = /\s[|–—·•-]\s(?!.*\s[|–—·•-]\s)/.exec(cleaned);
  const own = separator && separator.index > 0 ? cleaned.slice(0, separator.index) : cleaned;
  return cleanText(own, MAX_VALUE_LENGTH, redaction);
}
