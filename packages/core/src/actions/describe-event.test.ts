import { describe, expect, it } from 'vitest';
import type { CapturedEvent } from './action.js';
import { describeEvent } from './describe-event.js';

const at = new Date('2025-01-06T09:00:00.000Z');

function captured(event: string, properties: Record<string, unknown> = {}): CapturedEvent {
  return {
    event,
    distinctId: 'usr_1',
    timestamp: at,
    properties: {
      $current_url: 'https://app.acme.io/billing',
      $pathname: '/billing',
      $session_id: 's1',
      ...properties,
    },
  };
}

function line(event: string, properties: Record<string, unknown> = {}): string | undefined {
  return describeEvent(captured(event, properties))?.description;
}

const click = (chain: string, extra: Record<string, unknown> = {}) =>
  line('$autocapture', { $event_type: 'click', $elements_chain: chain, ...extra });

describe('describeEvent', () => {
  it('builds the action with time, type, page and session', () => {
    expect(describeEvent(captured('$pageview', { title: 'Billing | Acme' }))).toEqual({
      at: '2025-01-06T09:00:00.000Z',
      type: 'pageview',
      description: 'Viewed Billing (/billing)',
      page: '/billing',
      sessionId: 's1',
    });
  });

  it('describes pageviews and screens', () => {
    expect(line('$pageview', { title: '' })).toBe('Viewed /billing');
    expect(line('$screen', { $screen_name: 'Checkout' })).toBe('Viewed screen Checkout');
  });

  it.each([
    ['button:nth-child="1"text="Upgrade"', 'Clicked "Upgrade" button on /billing'],
    ['a:href="/docs"nth-child="1"text="Docs"', 'Clicked "Docs" link on /billing'],
    ['div:attr__role="tab"nth-child="1"text="Invoices"', 'Clicked "Invoices" tab on /billing'],
    ['input:attr__type="checkbox"attr__name="terms"nth-child="1"', 'Clicked "terms" checkbox on /billing'],
    ['li:attr__role="menuitem"nth-child="1"text="Sign out"', 'Clicked "Sign out" menu item on /billing'],
    ['button:attr__aria-label="Close dialog"nth-child="1"', 'Clicked "Close dialog" button on /billing'],
    ['button:attr__title="Refresh"nth-child="1"', 'Clicked "Refresh" button on /billing'],
    ['img:attr__alt="Company logo"nth-child="1"', 'Clicked "Company logo" image on /billing'],
    ['button:attr__data-attr="export-csv"nth-child="1"', 'Clicked "export-csv" button on /billing'],
    [
      'svg.icon:nth-child="1";span:nth-child="1";button.icon-button:attr__aria-label="Delete invoice"nth-child="2"',
      'Clicked "Delete invoice" button on /billing',
    ],
    ['span.label:nth-child="1"text="Plans";a:href="/plans"nth-child="1"', 'Clicked "Plans" link on /billing'],
    ['div:nth-child="1"text="   Plan\n\n  details  "', 'Clicked "Plan details" on /billing'],
    // The accessible name wins over the visible glyph of an icon button.
    [
      'button:attr__aria-label="Retry payment"nth-child="1"text="↻"',
      'Clicked "Retry payment" button on /billing',
    ],
    // Symbols alone name nothing: the title (or a developer name) is read instead.
    [
      'a:attr__title="Open settings"href="/settings"nth-child="1"text="⚙"',
      'Clicked "Open settings" link on /billing',
    ],
    ['button:attr__id="close"nth-child="1"text="×"', 'Clicked "close" button on /billing'],
    ['button:nth-child="1"text="×"', 'Clicked "×" button on /billing'],
  ])('click on %s', (chain, expected) => {
    expect(click(chain)).toBe(expected);
  });

  it('reads the older $elements array when there is no chain', () => {
    expect(
      line('$autocapture', {
        $event_type: 'click',
        $elements: [{ tag_name: 'button', $el_text: 'Pay now', nth_child: 1 }],
      }),
    ).toBe('Clicked "Pay now" button on /billing');
  });

  it('names fields by their known label before name and placeholder, and forms being started', () => {
    const change = (element: Record<string, unknown>) =>
      line('$autocapture', { $event_type: 'change', $elements: [{ tag_name: 'input', ...element }] });
    expect(change({ attr__name: 'company', $label: 'Company name' })).toBe(
      'Changed the "Company name" field on /billing',
    );
    expect(
      change({ attr__name: 'company', $labelledby_text: 'Legal name', 'attr__aria-label': 'Name' }),
    ).toBe('Changed the "Legal name" field on /billing');
    expect(change({ attr__placeholder: 'you@example.com', attr__name: 'email' })).toBe(
      'Changed the "email" field on /billing',
    );
    expect(
      line('$autocapture', {
        $event_type: 'click',
        $elements: [{ tag_name: 'button', $el_text: '×', $labelledby_text: 'Close the dialog' }],
      }),
    ).toBe('Clicked "Close the dialog" button on /billing');
    expect(
      line('$autocapture', {
        $event_type: 'form_start',
        $elements: [{ tag_name: 'form', attr__name: 'signup' }],
      }),
    ).toBe('Started filling in the "signup" form on /billing');
  });

  it('describes submits, changes, rage clicks and dead clicks', () => {
    expect(
      line('$autocapture', {
        $event_type: 'submit',
        $elements_chain: 'form:attr__name="signup"nth-child="1"',
      }),
    ).toBe('Submitted the "signup" form on /billing');
    expect(line('$autocapture', { $event_type: 'submit', $elements_chain: 'form:nth-child="1"' })).toBe(
      'Submitted a form on /billing',
    );
    expect(
      line('$autocapture', {
        $event_type: 'change',
        $elements_chain: 'input:attr__name="company"attr__value="Globex"nth-child="1"text="Globex"',
      }),
    ).toBe('Changed the "company" field on /billing');
    expect(
      line('$rageclick', { $event_type: 'click', $elements_chain: 'button:nth-child="1"text="Retry"' }),
    ).toBe('Rage-clicked "Retry" button on /billing');
    expect(line('$dead_click', { $elements_chain: 'span:nth-child="1"text="Apply coupon"' })).toBe(
      'Clicked "Apply coupon" on /billing but nothing happened',
    );
  });

  it('describes exceptions from $exception_list and from the legacy properties', () => {
    expect(line('$exception', { $exception_list: [{ type: 'TypeError', value: 'x is undefined' }] })).toBe(
      'Saw an error on /billing: TypeError: "x is undefined"',
    );
    expect(
      line('$exception', { $exception_type: 'Error', $exception_message: 'Card validation failed' }),
    ).toBe('Saw an error on /billing: Error: "Card validation failed"');
  });

  it('says Signed in for identify, without the person properties', () => {
    const action = describeEvent(
      captured('$identify', { $set: { email: 'jane@example.com' }, $anon_distinct_id: 'anon' }),
    );
    expect(action?.type).toBe('identify');
    expect(action?.description).toBe('Signed in');
  });

  it('humanizes custom events with allowlisted properties only', () => {
    expect(
      line('checkout_failed', { plan: 'Pro', step: 2, email: 'jane@example.com', nested: { plan: 'x' } }),
    ).toBe('Checkout failed (plan: Pro, step: 2)');
    expect(
      describeEvent(captured('Checkout Failed', { tier: 'Gold', plan: 'Pro' }), {
        propertyAllowlist: ['tier'],
      })?.description,
    ).toBe('Checkout failed (tier: Gold)');
  });

  it.each([
    '$pageleave',
    '$feature_flag_called',
    '$set',
    '$groupidentify',
    '$opt_in',
    '$web_vitals',
    '$snapshot',
    '$heatmap',
    'survey shown',
    'survey sent',
    '$some_future_internal_event',
  ])('drops %s', (event) => {
    expect(describeEvent(captured(event))).toBeNull();
  });

  it('drops autocapture kinds with nothing to say and events with an invalid time', () => {
    expect(line('$autocapture', { $event_type: 'copy' })).toBeUndefined();
    expect(describeEvent({ ...captured('$pageview'), timestamp: new Date('nope') })).toBeNull();
  });

  it('keeps only allowlisted query keys in the page', () => {
    const action = describeEvent(
      captured('$pageview', {
        $current_url: 'https://app.acme.io/settings?tab=plans&token=abc',
        $pathname: '/settings',
      }),
    );
    expect(action?.page).toBe('/settings?tab=plans');
  });
});

describe('describeEvent with hostile input', () => {
  it('keeps HTML and script in element text as plain text', () => {
    expect(click('button:nth-child="1"text="<script>alert(1)</script>"')).toBe(
      'Clicked "<script>alert(1)</script>" button on /billing',
    );
  });

  it('redacts emails and card numbers in element text', () => {
    const description = click('button:nth-child="1"text="Email jane@example.com card 4111 1111 1111 1111"');
    expect(description).toBe('Clicked "Email [email] card [card]" button on /billing');
  });

  it('redacts secrets in URLs and pages', () => {
    const action = describeEvent(
      captured('$pageview', {
        $current_url: 'https://app.acme.io/users/jane@example.com?tab=sk_live_4eC39HqLyjWDarjtT1zdp7dc',
        $pathname: '/users/jane@example.com',
      }),
    );
    expect(action?.page).toBe('/users/[email]?tab=[secret]');
    expect(action?.description).toBe('Viewed /users/[email]?tab=[secret]');
  });

  it('redacts secrets in custom event names and allowlisted properties', () => {
    expect(
      line('sent to jane@example.com', {
        error: 'Bearer abcdef123456 rejected',
        reason: 'card 4111111111111111',
      }),
    ).toBe('Sent to [email] (error: Bearer [token] rejected, reason: card [card])');
  });

  it('never names a changed field by its value', () => {
    const description = line('$autocapture', {
      $event_type: 'change',
      $el_text: 'my secret answer',
      $elements_chain: 'textarea:attr__placeholder="Security answer"nth-child="1"text="my secret answer"',
    });
    expect(description).toBe('Changed the "Security answer" field on /billing');
  });

  it('handles a megabyte of element text', () => {
    const description = click(`button:nth-child="1"text="${'Pay now '.repeat(128 * 1024)}"`);
    expect(description?.startsWith('Clicked "Pay now Pay now')).toBe(true);
    expect(description?.length).toBeLessThanOrEqual(240);
  });

  it('ignores properties of the wrong type', () => {
    expect(
      line('$autocapture', { $event_type: 'click', $elements_chain: 42, $elements: 'x', $el_text: {} }),
    ).toBe('Clicked an unlabelled element on /billing');
    expect(
      describeEvent(captured('$pageview', { $current_url: 7, $pathname: null, title: ['x'] }))?.description,
    ).toBe('Viewed /');
  });
});
