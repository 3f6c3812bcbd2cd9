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
const linkableEndings = new Set(
  'com|net|org|io|co|app|dev|ai|me|info|biz|xyz|ly|link|site|online|shop|top|to|us|uk|eu|de|fr|es|it|nl|ru|cn|in|br'.split(
    '|',
  ),
);

/**
 * A URL with a scheme, or a `www.` host, up to where its host ends. Each starts at a literal, and the
 * one quantifier ends the pattern: linear (checked with the other product-text patterns by recheck in
 * `product-text-patterns.test.ts`). Bare `name.tld` hosts are found by {@link defangBareHosts}, a
 * scan: as a pattern, `(?:[a-z0-9-]+\.)+tld` retried at every label of a long `a.a.a.…` run is quadratic.
 */
export const URL_LIKE_PATTERN = /\b(?:https?|ftp):\/\/[^\s/?#"'<>()[\]]*|\bwww\.[^\s/?#"'<>()[\]]*/giu;

const isHostCharacter = (code: number) =>
  (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57) || code === 45;

/** A run of labels (`a-z`, digits, `-`) joined by single dots, any after the first a linkable ending. */
function isBareHost(run: string): boolean {
  const labels = run.split('.');
  if (labels.length < 2 || labels.some((label) => label === '')) return false;
  return labels.slice(1).some((label) => linkableEndings.has(label.toLowerCase()));
}

/** `evil.com` → `evil[.]com`, in one pass over runs of host characters and dots. */
function defangBareHosts(text: string): string {
  let result = '';
  let index = 0;
  while (index < text.length) {
    if (!isHostCharacter(text.charCodeAt(index))) {
      result += text[index];
      index += 1;
      continue;
    }
    let end = index;
    while (end < text.length && (isHostCharacter(text.charCodeAt(end)) || text[end] === '.')) end += 1;
    // A sentence's full stop is not part of the host.
    let hostEnd = end;
    while (hostEnd > index && text[hostEnd - 1] === '.') hostEnd -= 1;
    const run = text.slice(index, hostEnd);
    result += (isBareHost(run) ? run.replaceAll('.', '[.]') : run) + text.slice(hostEnd, end);
    index = end;
  }
  return result;
}

/**
 * Makes links in product text inert where they are shown (Intercom turns URLs in note HTML into links,
 * and an agent may repeat one): the scheme becomes `hxxp(s)://` / `fxp://` and every dot of the host
 * `[.]`, the usual "defanged" form: `hxxps://evil[.]example/login`, `www[.]evil[.]example`,
 * `evil[.]com`. Paths such as `/billing` are untouched. Idempotent.
 */
export function defangLinks(text: string): string {
  // Every link the two passes change has a `://` or a dot (most UI text has neither).
  if (!text.includes('.') && !text.includes('://')) return text;
  const withUrls = text.replace(URL_LIKE_PATTERN, (match) =>
    match
      .replace(/^(h)tt(ps?)(?=:\/\/)/i, '$1xx$2')
      .replace(/^(f)t(p)(?=:\/\/)/i, '$1x$2')
      .replaceAll('.', '[.]'),
  );
  return withUrls.includes('.') ? defangBareHosts(withUrls) : withUrls;
}
