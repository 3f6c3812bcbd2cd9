const dangerousElements = /<(script|style|iframe|object|embed|template|noscript)\b[^>]*>[\s\S]*?<\/\1\s*>/gi;
const strayDangerousTags =
  /<\/?(script|style|iframe|object|embed|template|noscript|base|meta|link)\b[^>]*>/gi;
const eventHandlerAttributes = /\s+on[a-z]+\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)/gi;
const scriptUrls =
  /\s+(href|src|xlink:href|action|formaction)\s*=\s*("\s*javascript:[^"]*"|'\s*javascript:[^']*'|javascript:[^\s>]+)/gi;

/**
 * Makes note HTML safe to render in the sandbox page: drops script-like elements, `on*` event-handler
 * attributes and `javascript:` URLs, and keeps the rest of the markup as Intercom's inbox would show it.
 * Defence in depth only: Threadline escapes product values before they reach a note.
 */
export function sanitizeNoteHtml(html: string): string {
  let previous: string;
  let current = html;
  // Repeat until stable so that removing one construct cannot splice together a new one.
  do {
    previous = current;
    current = current
      .replace(dangerousElements, '')
      .replace(strayDangerousTags, '')
      .replace(eventHandlerAttributes, '')
      .replace(scriptUrls, '');
  } while (current !== previous);
  return current;
}
