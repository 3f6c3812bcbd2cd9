import { unverifiedMarker } from '../notes/render-note.js';
import type { SummaryLine } from '../ports/summary-store.js';

const numberedParagraph = /<p\b[^>]*>\s*\[(\d+)\]\s*([\s\S]*?)<\/p>/gi;
const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function decodeHtml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (match, entity: string) => {
    const lower = entity.toLowerCase();
    if (lower.startsWith('#x')) return String.fromCodePoint(Number.parseInt(lower.slice(2), 16));
    if (lower.startsWith('#')) return String.fromCodePoint(Number.parseInt(lower.slice(1), 10));
    return entities[lower] ?? match;
  });
}

/**
 * The numbered action lines of a note body as delivery wrote it (`<p>[12] Clicked …</p>`), decoded
 * back to plain text. Tolerates attributes and inline tags Intercom may add; other paragraphs
 * (the pre-chat heading, the reference footer) are not lines.
 */
export function readNoteLines(html: string): SummaryLine[] {
  const lines: SummaryLine[] = [];
  for (const match of html.matchAll(numberedParagraph)) {
    const text = decodeHtml(match[2]!.replace(/<[^>]*>/g, ''))
      .replace(/\s+/g, ' ')
      .trim();
    if (text !== '') lines.push({ number: Number(match[1]), text });
  }
  return lines;
}

const errorWords =
  /^Saw an error\b|\b(errors?|exceptions?|fail(s|ed|ure|ing)?|denied|forbidden|unauthori[sz]ed|invalid|declined|rejected|timed out|timeout|crash(ed)?|not found|could not|couldn't|unable to|refused)\b/i;
const frictionWords = /^Rage-clicked\b|\bbut nothing happened$/;

const earlierPrefix = /^\(earlier, [^)]*\) /;

/**
 * What the user did, without the markers delivery may put before it: `(earlier, 10:02:11)` (a late
 * action, numbered after what happened later) and `(unverified)`.
 */
export function actionText(text: string): string {
  const timely = text.replace(earlierPrefix, '');
  return timely.startsWith(`${unverifiedMarker} `) ? timely.slice(unverifiedMarker.length + 1) : timely;
}

/** A line that reports an error: an exception the product captured, or an event named for a failure. */
export function isErrorLine(text: string): boolean {
  return errorWords.test(actionText(text));
}

/** Rage clicks and dead clicks: where the user was stuck even without an error. */
export function isFrictionLine(text: string): boolean {
  return frictionWords.test(actionText(text));
}

// Pages appear as `Viewed Title (/path)`, `Viewed /path` and `… on /path` (see describeEvent).
const pagePattern = /(?:\(|\bon |^Viewed )(\/[^\s)"]*)/g;

/** The page paths a line names, in order. */
export function pagesOf(text: string): string[] {
  return [...actionText(text).matchAll(pagePattern)].map((match) => match[1]!.replace(/[.,;:]+$/, '') || '/');
}

/**
 * At most `max` lines (by number), keeping whatever a summary must not lose: every error and friction
 * line and the first line naming each page, even beyond `max`; the rest are the newest lines.
 */
export function condenseLines(lines: SummaryLine[], max: number): SummaryLine[] {
  if (lines.length <= max) return lines;
  const keep = new Set<SummaryLine>();
  const seenPages = new Set<string>();
  for (const line of lines) {
    const newPages = pagesOf(line.text).filter((page) => !seenPages.has(page));
    for (const page of newPages) seenPages.add(page);
    if (newPages.length > 0 || isErrorLine(line.text) || isFrictionLine(line.text)) keep.add(line);
  }
  for (let index = lines.length - 1; index >= 0 && keep.size < max; index -= 1) keep.add(lines[index]!);
  return lines.filter((line) => keep.has(line));
}
