import session from '../../test-fixtures/posthog-js-session.json' with { type: 'json' };
import type { CapturedEvent } from './action.js';

interface RecordedEvent {
  event: string;
  uuid: string;
  timestamp: string;
  properties: Record<string, unknown>;
}

/** The recorded posthog-js session, as the capture decoder would hand its events over. */
export function recordedSession(): CapturedEvent[] {
  return (session as unknown as RecordedEvent[]).map((recorded) => ({
    event: recorded.event,
    uuid: recorded.uuid,
    distinctId: String(recorded.properties.distinct_id),
    timestamp: new Date(recorded.timestamp),
    properties: recorded.properties,
  }));
}
