import { type RedactionOptions, redactText } from '../redaction/index.js';
import { truncateText } from './clean-text.js';
import { defangLinks, stripInvisible } from './inert-text.js';

const MAX_PATH_LENGTH = 160;
const MAX_QUERY_VALUE_LENGTH = 40;

function decode(text: string): string {
  // Only `%XX` sequences decode; without a `%` the text comes back as it is.
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function splitUrl(url: string): { path: string; query: string; fragment: string } {
  const withoutOrigin = url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '');
  const hashAt = withoutOrigin.indexOf('#');
  const beforeHash = hashAt === -1 ? withoutOrigin : withoutOrigin.slice(0, hashAt);
  const fragment = hashAt === -1 ? '' : withoutOrigin.slice(hashAt + 1);
  const queryAt = beforeHash.indexOf('?');
  return {
    path: queryAt === -1 ? beforeHash : beforeHash.slice(0, queryAt),
    query: queryAt === -1 ? '' : beforeHash.slice(queryAt + 1),
    fragment,
  };
}

/**
 * The page part of a URL for a description: the path (origin, fragment and query dropped, except the
 * allowlisted query keys), percent-decoded so encoded emails are caught, redacted and shortened.
 * Hash-routed apps (`/#/settings/billing`) get their route as the path.
 */
export function pagePath(
  url: string,
  queryAllowlist: readonly string[],
  redaction: RedactionOptions = {},
): string {
  const parts = splitUrl(url.trim().slice(0, 8192));
  let { path, query } = parts;
  if ((path === '' || path === '/') && parts.fragment.startsWith('/')) {
    ({ path, query } = splitUrl(parts.fragment));
  }
  const kept = query
    .split('&')
    .map((pair) => pair.split('='))
    .filter(([key]) => key !== undefined && queryAllowlist.includes(decode(key)))
    .map(
      ([key = '', value = '']) =>
        `${decode(key)}=${truncateText(decode(value).replace(/\s+/g, ' '), MAX_QUERY_VALUE_LENGTH)}`,
    );
  const decodedPath = decode(path.replace(/\s+/g, '')) || '/';
  const normalizedPath = decodedPath.startsWith('/') ? decodedPath : `/${decodedPath}`;
  const page = kept.length > 0 ? `${normalizedPath}?${kept.join('&')}` : normalizedPath;
  // Percent-decoding can produce invisible characters (`%E2%80%AE`), so they go after it.
  return truncateText(defangLinks(redactText(stripInvisible(page), redaction)), MAX_PATH_LENGTH);
}
