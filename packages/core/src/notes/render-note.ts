import type { Action } from '../actions/action.js';
import { earlierMarker } from '../actions/event-time-order.js';
import { activityNotice } from './activity-notice.js';
import { escapeHtml } from './escape-html.js';

/** One action with the number it carries in the conversation. */
export interface NumberedAction {
  number: number;
  action: Action;
  /** It happened before an action an earlier note carries: the line says when (`(earlier, 10:02:11)`). */
  isEarlier?: boolean;
}

export interface NoteContent {
  /** The note body, HTML, every product value escaped. */
  html: string;
  /** Marker written into the note so a retry can recognise it in the conversation. */
  reference: string;
  /** The numbered lines as written, plain text (not escaped): Threadline's own record of the note. */
  lines: { number: number; text: string }[];
}

export interface RenderNoteInput {
  conversationId: string;
  lines: NumberedAction[];
  /** A heading above the lines (e.g. for the pre-chat note); product values in it are escaped here. */
  heading?: string;
  /** Turns an action into its one-line text (the action describer's formatter). */
  formatLine: (action: Action) => string;
  maxLineChars?: number;
  /** Insert a visual break between two lines more than this far apart (ms). */
  pauseBreakMs?: number;
  /** The latest event time earlier notes carried: a late line on another day shows its date too. */
  writtenThrough?: string | null;
}

const defaultMaxLineChars = 300;

/** Put before a line whose event carried no proof of who sent it (`CAPTURE_IDENTITY=mark`). */
export const unverifiedMarker = '(unverified)';

/** `tl-<conversation>-<first>-<last>`: unique per conversation because numbers never repeat in one. */
export function noteReference(conversationId: string, first: number, last: number): string {
  return `tl-${conversationId}-${first}-${last}`;
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * Renders numbered actions as an Intercom internal note: the fixed activity notice, then
 * `[1] Viewed the Pricing page (/pricing)`, one paragraph per line, with a small reference footer.
 * A line of an unverified event reads `[4] (unverified) Clicked …`; a late one
 * `[14] (earlier, 10:02:11) Clicked …`.
 */
export function renderNote(input: RenderNoteInput): NoteContent {
  const { lines } = input;
  if (lines.length === 0) throw new Error('renderNote needs at least one line');
  const first = lines[0]!.number;
  const last = lines[lines.length - 1]!.number;
  const reference = noteReference(input.conversationId, first, last);
  const maxLineChars = input.maxLineChars ?? defaultMaxLineChars;
  const parts: string[] = [`<p><i>${escapeHtml(activityNotice)}</i></p>`];
  if (input.heading) parts.push(`<p><b>${escapeHtml(input.heading)}</b></p>`);
  let previousAt: number | undefined;
  const written: NoteContent['lines'] = [];
  for (const { number, action, isEarlier } of lines) {
    const at = Date.parse(action.at);
    if (
      input.pauseBreakMs !== undefined &&
      previousAt !== undefined &&
      at - previousAt > input.pauseBreakMs
    ) {
      parts.push('<p><br></p>');
    }
    previousAt = at;
    const marker =
      (isEarlier ? `${earlierMarker(action.at, input.writtenThrough)} ` : '') +
      (action.verified === false ? `${unverifiedMarker} ` : '');
    const text = cut(input.formatLine(action), maxLineChars);
    written.push({ number, text: `${marker}${text}` });
    parts.push(`<p>[${number}] ${marker}${escapeHtml(text)}</p>`);
  }
  parts.push(`<p><i>Threadline · ${escapeHtml(reference)}</i></p>`);
  return { html: parts.join(''), reference, lines: written };
}
