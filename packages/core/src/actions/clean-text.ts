import { type RedactionOptions, redactText } from '../redaction/index.js';
import { defangLinks, stripInvisible } from './inert-text.js';

/** Longest quoted value in a description (element text, form name, error message…). */
export const MAX_VALUE_LENGTH = 80;
/** Longest description. */
export const MAX_LINE_LENGTH = 240;

/** How much of a value is looked at: enough to redact whole what is shown, never the whole megabyte. */
const READ_WINDOW = 2048;

/** Shortens to `maxLength` characters, ending with `…` when cut, without splitting a surrogate pair. */
export function truncateText(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  let end = maxLength - 1;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return `${text.slice(0, end).trimEnd()}…`;
}

/** Whitespace other than a single space: the only thing collapsing changes. */
const RUN_TO_COLLAPSE = /[^\S ]|\s\s/;

function hasRunsToCollapse(text: string): boolean {
  return RUN_TO_COLLAPSE.test(text);
}

/**
 * Makes untrusted product text fit for a description: invisible characters removed, whitespace
 * collapsed and trimmed, redacted, links made inert, then truncated to `maxLength`. Invisible
 * characters go first so they can hide nothing from redaction; redaction comes before truncation so
 * a cut never hides a secret from its rule, and before defanging so URL rules see real URLs.
 */
export function cleanText(value: string, maxLength: number, redaction?: RedactionOptions): string {
  const window = stripInvisible(value.trimStart().slice(0, READ_WINDOW));
  const collapsed = (hasRunsToCollapse(window) ? window.replace(/\s+/g, ' ') : window).trim();
  return truncateText(defangLinks(redactText(collapsed, redaction)), maxLength);
}
