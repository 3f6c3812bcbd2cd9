import { describe, expect, it } from 'vitest';
import type { CapturedEvent } from './action.js';
import { describeEvent } from './describe-event.js';
import type { DescribeOptions } from './describe-options.js';

function click(properties: Record<string, unknown>, options?: DescribeOptions): string | undefined {
  const event: CapturedEvent = {
    event: '$autocapture',
    distinctId: 'usr_1',
    timestamp: new Date('2025-01-06T09:00:00.000Z'),
    properties: { $pathname: '/billing', $event_type: 'click', ...properties },
  };
  return describeEvent(event, options)?.description;
}

describe('describing the same click again (remembered by digest)', () => {
  const chain = 'button:nth-child="1"text="Pay invoice 4711";div:nth-child="1"';

  it('gives the same line every time', () => {
    const first = click({ $elements_chain: chain });
    expect(first).toBe('Clicked "Pay invoice 4711" button on /billing');
    expect(click({ $elements_chain: chain })).toBe(first);
  });

  it('tells apart clicks whose text and chain join to the same string', () => {
    const icon = 'span:nth-child="1";div:nth-child="1"';
    expect(click({ $el_text: 'Go', $elements_chain: `x${icon}` })).toBe('Clicked "Go" on /billing');
    expect(click({ $el_text: 'Gox', $elements_chain: icon })).toBe('Clicked "Gox" on /billing');
  });

  it('still applies extra redaction patterns to a click seen before without them', () => {
    expect(click({ $elements_chain: chain })).toBe('Clicked "Pay invoice 4711" button on /billing');
    expect(click({ $elements_chain: chain }, { redaction: { extraPatterns: [/invoice \d+/] } })).toBe(
      'Clicked "Pay [redacted]" button on /billing',
    );
  });

  it('reads the older $elements when the chain is blank', () => {
    expect(click({ $elements_chain: ' ', $elements: [{ tag_name: 'a', $el_text: 'Docs' }] })).toBe(
      'Clicked "Docs" link on /billing',
    );
  });
});
