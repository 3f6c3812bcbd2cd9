const blockStart = /^<(p|div|h[1-6]|ul|ol|li|blockquote|pre|table|figure|hr|br)\b/i;

/**
 * Normalises a reply body the way Intercom stores it: an outer `<html>`/`<body>` wrapper is dropped and a
 * body that does not start with a block element is wrapped in `<p>` (Intercom shows `Hello` as `<p>Hello</p>`).
 */
export function normaliseReplyBody(body: string): string {
  const unwrapped = body.replace(/<\/?(html|body)\b[^>]*>/gi, '').trim();
  return blockStart.test(unwrapped) ? unwrapped : `<p>${unwrapped}</p>`;
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** Turns plain text typed by a (simulated) user into the HTML body Intercom would store. */
export function plainTextToBody(text: string): string {
  return `<p>${escapeHtml(text)}</p>`;
}

/**
 * Renders a body as plain text, as `display_as=plaintext` does: links become `label (url)`, block ends
 * become line breaks, tags are dropped and entities decoded.
 */
export function bodyToPlainText(body: string): string {
  return decodeEntities(
    body
      .replace(
        /<a\b[^>]*\bhref\s*=\s*["']([^"']*)["'][^>]*>(.*?)<\/a>/gis,
        (_match, url: string, label: string) =>
          label.replace(/<[^>]*>/g, '') === url ? url : `${label} (${url})`,
      )
      .replace(/<br\s*\/?>/gi, '\n')
      .replace(/<\/(p|div|h[1-6]|li|blockquote|pre|tr)>/gi, '\n')
      .replace(/<[^>]*>/g, ''),
  ).trim();
}

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos|nbsp);/gi, (_match, entity: string) => {
    const lower = entity.toLowerCase();
    if (lower.startsWith('#x')) return String.fromCodePoint(Number.parseInt(lower.slice(2), 16));
    if (lower.startsWith('#')) return String.fromCodePoint(Number.parseInt(lower.slice(1), 10));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' }[lower] ?? '';
  });
}
