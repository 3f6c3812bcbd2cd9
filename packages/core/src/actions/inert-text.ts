/**
 * Invisible format characters (Unicode `Cf`): bidi overrides and isolates (U+202A–U+202E,
 * U+2066–U+2069), zero-width space, joiners and word joiner, the BOM, soft hyphens and the tag
 * characters (U+E0000–U+E007F) that can smuggle text a reader never sees. Product text never needs them
 * to be understood; a reversed or hidden span can make a line say something else to a model than to
 * the agent looking at it.
 */
const invisibleCharacters = /\p{Cf}/gu;

/** Removes invisible format characters (see above). Joined emoji fall apart into their parts. */
export function stripInvisible(text: string): string {
  return text.replace(invisibleCharacters, '');
}

/** The endings that make a bare `name.tld` clickable in most auto-linkers (a short list of the common ones). */
const linkableEndings =
  'com|net|org|io|co|app|dev|ai|me|info|biz|xyz|ly|link|site|online|shop|top|to|us|uk|eu|de|fr|es|it|nl|ru|cn|in|br';
const linkLike = new RegExp(
  `\\b(?:https?|ftp)://[^\\s/?#"'<>()\\[\\]]*|\\bwww\\.[^\\s/?#"'<>()\\[\\]]*|\\b(?:[a-z0-9-]+\\.)+(?:${linkableEndings})\\b`,
  'giu',
);

/**
 * Makes links in product text inert where they are shown (Intercom turns URLs in note HTML into links,
 * and an agent may repeat one): the scheme becomes `hxxp(s)://` / `fxp://` and every dot of the host
 * `[.]`, the usual "defanged" form: `hxxps://evil[.]example/login`, `www[.]evil[.]example`,
 * `evil[.]com`. Paths such as `/billing` are untouched. Idempotent.
 */
export function defangLinks(text: string): string {
  return text.replace(linkLike, (match) =>
    match
      .replace(/^(h)tt(ps?)(?=:\/\/)/i, '$1xx$2')
      .replace(/^(f)t(p)(?=:\/\/)/i, '$1x$2')
      .replaceAll('.', '[.]'),
  );
}
