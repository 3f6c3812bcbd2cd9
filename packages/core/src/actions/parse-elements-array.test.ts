import { describe, expect, it } from 'vitest';
import { parseElementsArray } from './parse-elements-array.js';

describe('parseElementsArray', () => {
  it('reads the older $elements form', () => {
    const elements = parseElementsArray([
      {
        tag_name: 'BUTTON',
        $el_text: 'Save',
        attr__class: 'btn btn-primary',
        attr__id: 'save',
        attr__type: 'submit',
        'attr__aria-label': 'Save project',
        nth_child: 3,
        nth_of_type: 1,
      },
      { tag_name: 'form', classes: ['settings'], attr__name: 'settings' },
      'not an element',
    ]);
    expect(elements).toEqual([
      {
        tag: 'button',
        classes: ['btn', 'btn-primary'],
        text: 'Save',
        id: 'save',
        nthChild: 3,
        nthOfType: 1,
        attributes: { type: 'submit', 'aria-label': 'Save project' },
      },
      { tag: 'form', classes: ['settings'], attributes: { name: 'settings' } },
    ]);
  });

  it('returns nothing for a value that is not an array', () => {
    expect(parseElementsArray({ tag_name: 'a' })).toEqual([]);
    expect(parseElementsArray(undefined)).toEqual([]);
  });
});
