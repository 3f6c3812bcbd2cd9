import { redactText } from '../redaction/redact-text.js';

const maxNarrativeChars = 1200;

/**
 * A writer's narrative made safe to show, or null when it is junk (empty, no words, a refusal to
 * answer in the shape asked). Markdown emphasis is dropped and it is redacted again: the model only saw
 * redacted lines, but its output is untrusted all the same. It is HTML-escaped, not stripped, when the
 * note is rendered, like any product value.
 */
export function cleanNarrative(text: unknown): string | null {
  if (typeof text !== 'string') return null;
  const plain = text
    .replace(/`+|\*\*/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (plain.length < 10 || !/\p{L}{2,}/u.test(plain)) return null;
  const cut = plain.length <= maxNarrativeChars ? plain : `${plain.slice(0, maxNarrativeChars - 1)}…`;
  return redactText(cut);
}
