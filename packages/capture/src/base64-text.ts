const base64Pattern = /^[A-Za-z0-9+/\-_]+={0,2}$/;

/**
 * True when the text is plausibly a base64 payload (standard or URL-safe alphabet). Line breaks
 * are ignored; a length that leaves one dangling character can never be base64.
 */
export function isLikelyBase64(text: string): boolean {
  const compact = text.replace(/[\r\n]/g, '');
  return compact.length >= 4 && compact.length % 4 !== 1 && base64Pattern.test(compact);
}

/** Decodes base64 (standard or URL-safe) to bytes. */
export function decodeBase64(text: string): Buffer {
  return Buffer.from(text.replace(/[\r\n]/g, ''), 'base64');
}

/**
 * Form decoding turns a literal `+` into a space; in a value that is otherwise base64 the space
 * can only have been a `+`, so it is put back.
 */
export function restoreBase64Plus(text: string): string {
  return text.includes(' ') && isLikelyBase64(text.replace(/ /g, '+')) ? text.replace(/ /g, '+') : text;
}
