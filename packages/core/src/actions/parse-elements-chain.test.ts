import { describe, expect, it } from 'vitest';
import { parseElementsChain } from './parse-elements-chain.js';

describe('parseElementsChain', () => {
  it('reads tag, classes, text, href, ids, positions and attr__ attributes, clicked element first', () => {
    const chain =
      'a.btn.nav-link:attr__aria-label="Open billing"attr__class="btn nav-link"attr__href="/billing"attr__id="nav-billing"' +
      'href="/billing"attr_id="nav-billing"nth-child="2"nth-of-type="1"text="Billing";' +
      'nav:attr__role="navigation"nth-child="1"nth-of-type="1";body:nth-child="2"nth-of-type="1"';
    expect(parseElementsChain(chain)).toEqual([
      {
        tag: 'a',
        classes: ['btn', 'nav-link'],
        text: 'Billing',
        href: '/billing',
        id: 'nav-billing',
        nthChild: 2,
        nthOfType: 1,
        attributes: { 'aria-label': 'Open billing' },
      },
      { tag: 'nav', classes: [], nthChild: 1, nthOfType: 1, attributes: { role: 'navigation' } },
      { tag: 'body', classes: [], nthChild: 2, nthOfType: 1, attributes: {} },
    ]);
  });

  it('keeps escaped quotes, semicolons and colons inside values', () => {
    const chain = 'button:nth-child="1"text="Say \\"hi\\"; then: go";div:nth-child="1"';
    const [button, div] = parseElementsChain(chain);
    expect(button?.text).toBe('Say "hi"; then: go');
    expect(div?.tag).toBe('div');
  });

  it('keeps colons that belong to class names', () => {
    const [element] = parseElementsChain('button.hover:bg-blue-500.md:px-4:nth-child="1"text="Go"');
    expect(element?.classes).toEqual(['hover:bg-blue-500', 'md:px-4']);
    expect(element?.text).toBe('Go');
  });

  it('reads elements without attributes and survives malformed input', () => {
    expect(parseElementsChain('div')).toEqual([{ tag: 'div', classes: [], attributes: {} }]);
    expect(parseElementsChain('')).toEqual([]);
    expect(parseElementsChain('button:text="unterminated')[0]?.text).toBe('unterminated');
    expect(() => parseElementsChain('";;;"::=="\\')).not.toThrow();
  });

  it('stays fast and bounded on a megabyte of text', () => {
    const elements = parseElementsChain(`button:text="${'x'.repeat(1024 * 1024)}";div:nth-child="1"`);
    expect(elements[0]?.tag).toBe('button');
    expect(elements[0]?.text?.length).toBeLessThanOrEqual(64 * 1024);
  });
});
