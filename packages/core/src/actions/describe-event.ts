import type { Action, ActionType, CapturedEvent } from './action.js';
import { cleanText, MAX_LINE_LENGTH, MAX_VALUE_LENGTH } from './clean-text.js';
import { describeException } from './describe-exception.js';
import { describeInteraction } from './describe-interaction.js';
import {
  type DescribeOptions,
  type ResolvedDescribeOptions,
  resolveDescribeOptions,
} from './describe-options.js';
import { formatProperties } from './format-properties.js';
import { humanizeEventName } from './humanize-event-name.js';
import { isIgnoredEvent } from './ignored-events.js';
import { pagePath } from './page-path.js';
import { pageTitle } from './page-title.js';
import { readString, readText } from './read-property.js';

const KNOWN_EVENTS: ReadonlySet<string> = new Set([
  '$pageview',
  '$screen',
  '$autocapture',
  '$rageclick',
  '$dead_click',
  '$exception',
  '$identify',
]);

const MAX_EVENT_NAME_LENGTH = 80;

function pageOf(properties: Record<string, unknown>, options: ResolvedDescribeOptions): string | undefined {
  const pathname = readString(properties, '$pathname');
  const url = readString(properties, '$current_url');
  if (pathname === undefined && url === undefined) return undefined;
  // $pathname has no query, and a hash-routed app's route lives in the URL's fragment.
  const source = url !== undefined && (pathname === undefined || /[?#]/.test(url)) ? url : (pathname ?? '');
  return pagePath(source, options.queryAllowlist, options.redaction);
}

function describeByEvent(
  event: CapturedEvent,
  page: string | undefined,
  options: ResolvedDescribeOptions,
): { type: ActionType; description: string } | null {
  const { properties } = event;
  switch (event.event) {
    case '$pageview': {
      const title = pageTitle(readText(properties, 'title') ?? '', options.redaction);
      const where = page ?? '/';
      return { type: 'pageview', description: title ? `Viewed ${title} (${where})` : `Viewed ${where}` };
    }
    case '$screen': {
      const name = cleanText(readText(properties, '$screen_name') ?? '', MAX_VALUE_LENGTH, options.redaction);
      return { type: 'pageview', description: name ? `Viewed screen ${name}` : 'Viewed a screen' };
    }
    case '$exception':
      return { type: 'error', description: describeException(properties, page, options) };
    case '$identify':
      return { type: 'identify', description: 'Signed in' };
    case '$autocapture':
    case '$rageclick':
    case '$dead_click':
      return describeInteraction(event.event, properties, page, options);
    default: {
      const name = humanizeEventName(cleanText(event.event, MAX_EVENT_NAME_LENGTH, options.redaction));
      if (name === '') return null;
      const details = formatProperties(properties, options.propertyAllowlist, options.redaction);
      return { type: 'custom', description: `${name}${details}` };
    }
  }
}

/**
 * Turns one captured event into a short, specific, redacted line for a support agent, e.g.
 * `Clicked "Upgrade" button on /billing`, or null when the event carries nothing for them
 * (`$pageleave`, `$feature_flag_called`, `$set`, web vitals, surveys, unknown `$` events…).
 *
 * Every product value in the result has been through `redactText`; nothing is HTML-escaped.
 */
export function describeEvent(event: CapturedEvent, options?: DescribeOptions): Action | null {
  if (isIgnoredEvent(event.event, KNOWN_EVENTS)) return null;
  if (Number.isNaN(event.timestamp.getTime())) return null;
  const resolved = resolveDescribeOptions(options);
  const properties = event.properties ?? {};
  const page = pageOf(properties, resolved);
  const described = describeByEvent({ ...event, properties }, page, resolved);
  if (!described) return null;
  const action: Action = {
    at: event.timestamp.toISOString(),
    type: described.type,
    description: cleanText(described.description, MAX_LINE_LENGTH, resolved.redaction),
  };
  if (page !== undefined) action.page = page;
  const sessionId = readText(properties, '$session_id');
  if (sessionId !== undefined && sessionId !== '')
    action.sessionId = cleanText(sessionId, 128, resolved.redaction);
  return action;
}
