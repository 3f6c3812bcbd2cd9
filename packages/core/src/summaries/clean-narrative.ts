import { defangLinks, stripInvisible } from '../actions/inert-text.js';
import { redactText } from '../redaction/redact-text.js';

const maxNarrativeChars = 1200;

/**
 * A writer's narrative made safe to show, or null when it is junk (empty, no words, a refusal to
 * answer in the shape asked). Markdown emphasis and invisible characters are dropped, it is redacted
 * again and its links are made inert: the model only saw redacted, defanged lines, but its output is
 * untrusted all the same (it may "repair" a defanged link). It is HTML-escaped, not stripped, when the
 * note is rendered, like any product value.
 */
export function cleanNarrative(text: unknown): string | null {
  if (typeof text !== 'string') return null;
  const plain = stripInvisible(text)
    .replace(/`+|\*\*/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (plain.length < 10 || !/\p{L}{2,}/u.test(plain)) return null;
  const cut = plain.length <= maxNarrativeChars ? plain : `${plain.slice(0, maxNarrativeChars - 1)}…`;
  return defangLinks(redactText(cut));
}
