/**
 * PostHog events that carry nothing for a support agent: SDK bookkeeping, person and group updates,
 * performance telemetry, recordings, surveys, and `$pageleave` (the next pageview says as much).
 */
const IGNORED_EVENTS: ReadonlySet<string> = new Set([
  '$pageleave',
  '$feature_flag_called',
  '$set',
  '$set_once',
  '$unset',
  '$create_alias',
  '$merge_dangerously',
  '$groupidentify',
  '$opt_in',
  '$web_vitals',
  '$snapshot',
  '$heatmap',
  '$copy_autocapture',
  '$performance_event',
  '$feature_enrollment_update',
  '$feature_view',
  '$feature_interaction',
  '$autocapture_disabled',
  '$session_recording_start',
]);

/**
 * Whether describing `event` is pointless. Also true for every `$`-prefixed event the describer does
 * not know (PostHog adds internal ones often) and for survey events (`survey shown`, `survey sent`…).
 */
export function isIgnoredEvent(event: string, knownEvents: ReadonlySet<string>): boolean {
  if (IGNORED_EVENTS.has(event)) return true;
  if (event.startsWith('$')) return !knownEvents.has(event);
  return /^survey /i.test(event) || event.trim() === '';
}
