import { describe, expect, it } from 'vitest';
import type { Action } from './action.js';
import { collapseRepeats } from './collapse-repeats.js';
import { describeEvent } from './describe-event.js';
import { formatAction } from './format-action.js';
import { recordedSession } from './session-fixture.test-support.js';

/** What, which element and which page: the bar a line must clear to help a support agent. */
function isSpecific(action: Action): boolean {
  const namesElement = /"[^"]+"/.test(action.description);
  const namesPage = / on \/\S*/.test(action.description);
  switch (action.type) {
    case 'pageview':
      return /^Viewed .*\/|^Viewed screen \S/.test(action.description);
    case 'click':
    case 'rageclick':
    case 'deadclick':
    case 'submit':
    case 'change':
      return namesElement && namesPage;
    case 'error':
      return namesPage && /: \S/.test(action.description);
    case 'identify':
      return action.description === 'Signed in';
    case 'custom':
      return action.description.length > 0;
  }
}

describe('describeEvent on a recorded posthog-js session', () => {
  const events = recordedSession();
  const actions = events
    .map((event) => describeEvent(event))
    .filter((action): action is Action => action !== null);

  it('turns at least 95% of the kept events into specific lines', () => {
    const specific = actions.filter(isSpecific);
    const rate = specific.length / actions.length;
    console.warn(
      `specific lines: ${specific.length}/${actions.length} (${(rate * 100).toFixed(1)}%), ` +
        `${events.length - actions.length} of ${events.length} events dropped\n` +
        collapseRepeats(actions)
          .map((action) => `  ${isSpecific(action) ? ' ' : '?'} [${action.type}] ${formatAction(action)}`)
          .join('\n'),
    );
    expect(events.length).toBeGreaterThanOrEqual(55);
    expect(rate).toBeGreaterThanOrEqual(0.95);
  });

  it('drops the bookkeeping events and keeps every interaction', () => {
    const kept = new Set(actions.map((action) => action.type));
    expect(kept).toEqual(
      new Set([
        'pageview',
        'click',
        'submit',
        'change',
        'rageclick',
        'deadclick',
        'error',
        'identify',
        'custom',
      ]),
    );
    const dropped = events.filter((event) => describeEvent(event) === null).map((event) => event.event);
    expect(new Set(dropped)).toEqual(
      new Set(['$pageleave', '$set', '$feature_flag_called', '$web_vitals', 'survey shown']),
    );
  });

  it('lets no email, card or session token of the session through', () => {
    const everything = JSON.stringify(actions);
    expect(everything).not.toContain('jane.doe@example.com');
    expect(everything).not.toContain('jane.doe%40example.com');
    expect(everything).not.toContain('cs_live_a1B2c3D4e5F6g7H8');
    expect(everything).not.toContain('SPRING25');
    expect(everything).not.toContain('phc_');
  });

  it('collapses the four identical Pay clicks in a row into one line', () => {
    const lines = collapseRepeats(actions).map(formatAction);
    expect(lines).toContain('Clicked "Pay €49.00" button on /checkout?step=payment ×4');
  });
});
