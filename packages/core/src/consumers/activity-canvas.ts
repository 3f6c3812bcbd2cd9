import type { Action } from '../actions/action.js';
import { formatAction } from '../actions/format-action.js';
import type { IdentityMode } from '../identity/identity-mode.js';
import type { CanvasComponent, CanvasDataTable, CanvasResponse } from './canvas-components.js';

/** The Refresh button's id: a submit request carrying it asks for the same canvas again. */
export const canvasRefreshId = 'threadline-refresh';

export const canvasLimits = { recent: 10, errors: 3, valueLength: 140 } as const;

/** Shown when nothing is stored under the contact's User ID (the identity hint of docs/fin.md). */
export const identityHint =
  "Threadline keeps activity under the id your product sends as distinct_id (posthog.identify('<user id>')). This contact's User ID (external_id) must be that same id.";

export type ActivityCanvasInput =
  /** The contact has no User ID (a lead, or a user created without one). */
  | { kind: 'no_user_id' }
  | { kind: 'unavailable' }
  | { kind: 'activity'; userId: string; actions: Action[]; identityMode: IdentityMode };

const refreshButton: CanvasComponent = {
  type: 'button',
  id: canvasRefreshId,
  label: 'Refresh',
  style: 'secondary',
  action: { type: 'submit' },
};

/** `10:02:50` today (UTC), `03-01 10:02` before. */
function shortTime(at: string, now: Date): string {
  const time = new Date(at);
  if (Number.isNaN(time.getTime())) return at.slice(0, 16);
  const iso = time.toISOString();
  return iso.slice(0, 10) === now.toISOString().slice(0, 10)
    ? `${iso.slice(11, 19)} UTC`
    : `${iso.slice(5, 10)} ${iso.slice(11, 16)} UTC`;
}

function shorten(text: string): string {
  return text.length <= canvasLimits.valueLength ? text : `${text.slice(0, canvasLimits.valueLength - 1)}…`;
}

function table(actions: Action[], now: Date): CanvasDataTable {
  return {
    type: 'data-table',
    items: actions.map((action) => {
      const line = formatAction(action);
      // The page only when the line does not already name it ("… on /billing").
      const withPage = action.page && !line.includes(action.page) ? `${line} (${action.page})` : line;
      return { type: 'field-value', field: shortTime(action.at, now), value: shorten(withPage) };
    }),
  };
}

function identityLine(actions: Action[], mode: IdentityMode): string {
  if (mode === 'off')
    return 'Identity not checked: the product does not sign its events (CAPTURE_IDENTITY=off).';
  const unverified = actions.filter((action) => action.verified === false).length;
  if (unverified === 0) return 'Verified: every action shown came with proof of this user.';
  return `Not verified: ${unverified} of ${actions.length} actions shown came without proof of this user.`;
}

function plainCanvas(title: string, lines: string[]): CanvasResponse {
  return {
    canvas: {
      content: {
        components: [
          { type: 'text', text: title, style: 'header' },
          ...lines.map((text): CanvasComponent => ({ type: 'text', text, style: 'muted' })),
          refreshButton,
        ],
      },
    },
  };
}

/**
 * The inbox canvas for a conversation's contact: errors first, then the last ten actions (newest
 * first) with their times, whether they are verified, and a Refresh button. Product text (which
 * Intercom could render as Markdown in a text component) is only ever a data-table value.
 */
export function buildActivityCanvas(input: ActivityCanvasInput, now: Date): CanvasResponse {
  if (input.kind === 'no_user_id')
    return plainCanvas('No recent activity', [
      'This contact has no User ID (external_id) yet.',
      identityHint,
    ]);
  if (input.kind === 'unavailable')
    return plainCanvas('Activity unavailable', [
      'Threadline could not read the activity in time. Press Refresh.',
    ]);
  if (input.actions.length === 0) return plainCanvas('No recent activity', [identityHint]);
  const newestFirst = [...input.actions].reverse();
  const recent = newestFirst.slice(0, canvasLimits.recent);
  const errors = newestFirst.filter((action) => action.type === 'error').slice(0, canvasLimits.errors);
  const components: CanvasComponent[] = [{ type: 'text', text: 'Recent activity', style: 'header' }];
  if (errors.length > 0) {
    components.push({
      type: 'text',
      text: errors.length === 1 ? 'Latest error' : `Latest ${errors.length} errors`,
      style: 'error',
      bottom_margin: 'none',
    });
    components.push(table(errors, now), { type: 'divider' });
  }
  components.push(
    {
      type: 'text',
      text: `Last ${recent.length} actions, newest first`,
      style: 'muted',
      bottom_margin: 'none',
    },
    table(recent, now),
    { type: 'text', text: identityLine(recent, input.identityMode), style: 'muted' },
    refreshButton,
  );
  return { canvas: { content: { components } } };
}
