import { describe, expect, it } from 'vitest';
import { renderNote } from '../notes/render-note.js';
import { condenseLines, isErrorLine, isFrictionLine, pagesOf, readNoteLines } from './summary-lines.js';

const line = (number: number, text: string) => ({ number, text });

describe('readNoteLines', () => {
  it('reads back exactly the lines delivery wrote, escaping undone, heading and footer left out', () => {
    const texts = [
      'Viewed the Pricing page (/pricing)',
      'Clicked "Pay & go" <b>now</b> on /checkout',
      "It's ok",
    ];
    const note = renderNote({
      conversationId: 'c1',
      heading: 'Before opening chat (session s, 10:00:00–10:01:00 UTC)',
      lines: texts.map((text, index) => ({
        number: 7 + index,
        action: { at: '2026-01-01T10:00:00.000Z', type: 'custom', description: text },
      })),
      formatLine: (action) => action.description,
    });
    expect(readNoteLines(note.html)).toEqual(texts.map((text, index) => line(7 + index, text)));
  });

  it('tolerates attributes and inline tags Intercom may add', () => {
    expect(
      readNoteLines('<p class="no-margin">[3] <span>Viewed</span> /a&#x27;b</p><p>not a line</p>'),
    ).toEqual([line(3, "Viewed /a'b")]);
  });
});

describe('line classification', () => {
  it('finds pages where describeEvent writes them', () => {
    expect(pagesOf('Viewed Billing / Plans (/billing/plans)')).toEqual(['/billing/plans']);
    expect(pagesOf('Viewed /')).toEqual(['/']);
    expect(pagesOf('Clicked "Save" button on /settings/team')).toEqual(['/settings/team']);
    expect(pagesOf('Searched (query: "a/b")')).toEqual([]);
  });

  it('tells error lines from the rest', () => {
    expect(isErrorLine('Saw an error on /checkout: "Card validation failed"')).toBe(true);
    expect(isErrorLine('Export failed (reason: "timeout")')).toBe(true);
    expect(isErrorLine('Clicked "Pay now" button on /checkout')).toBe(false);
  });
});

describe('lines marked (unverified)', () => {
  it('keep the marker in their text and are classified by what the user did', () => {
    const html = renderNote({
      conversationId: 'c',
      lines: [
        {
          number: 4,
          action: {
            at: '2026-01-01T00:00:00Z',
            type: 'error',
            description: 'Saw an error on /checkout: boom',
            verified: false,
          },
        },
        {
          number: 5,
          action: {
            at: '2026-01-01T00:00:01Z',
            type: 'rageclick',
            description: 'Rage-clicked "Pay"',
            verified: false,
          },
        },
      ],
      formatLine: (action) => action.description,
    }).html;
    const [error, rage] = readNoteLines(html);
    expect(error?.text).toBe('(unverified) Saw an error on /checkout: boom');
    expect(isErrorLine(error?.text ?? '')).toBe(true);
    expect(pagesOf(error?.text ?? '')).toEqual(['/checkout']);
    expect(isFrictionLine(rage?.text ?? '')).toBe(true);
  });
});

describe('condenseLines', () => {
  it('keeps every error and the first line of each page, then the newest, within the bound', () => {
    const lines = [
      line(1, 'Viewed A (/a)'),
      ...Array.from({ length: 50 }, (_, index) => line(index + 2, `Clicked "x${index}" button on /a`)),
      line(52, 'Saw an error on /a: "Boom"'),
      ...Array.from({ length: 50 }, (_, index) => line(index + 53, `Clicked "y${index}" button on /a`)),
      line(103, 'Viewed B (/b)'),
    ];
    const condensed = condenseLines(lines, 10);
    expect(condensed).toHaveLength(10);
    expect(condensed.map((kept) => kept.number)).toEqual(expect.arrayContaining([1, 52, 103]));
    expect(condensed.map((kept) => kept.number)).toEqual(
      [...condensed.map((kept) => kept.number)].sort((a, b) => a - b),
    );
    expect(condenseLines(lines.slice(0, 5), 10)).toEqual(lines.slice(0, 5));
  });
});

describe('lines marked (earlier, …)', () => {
  it('keep the marker in their text and are classified by what the user did', () => {
    const html = renderNote({
      conversationId: 'c',
      lines: [
        {
          number: 14,
          isEarlier: true,
          action: {
            at: '2026-01-01T10:02:11Z',
            type: 'rageclick',
            description: 'Rage-clicked "Pay"',
            verified: false,
          },
        },
        {
          number: 15,
          isEarlier: true,
          action: {
            at: '2026-01-01T10:02:12Z',
            type: 'error',
            description: 'Saw an error on /billing: boom',
          },
        },
      ],
      formatLine: (action) => action.description,
    }).html;
    const [rage, error] = readNoteLines(html);
    expect(rage?.text).toBe('(earlier, 10:02:11) (unverified) Rage-clicked "Pay"');
    expect(isFrictionLine(rage?.text ?? '')).toBe(true);
    expect(error?.text).toBe('(earlier, 10:02:12) Saw an error on /billing: boom');
    expect(isErrorLine(error?.text ?? '')).toBe(true);
    expect(pagesOf(error?.text ?? '')).toEqual(['/billing']);
  });
});
