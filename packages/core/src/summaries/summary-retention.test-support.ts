import { escapeHtml } from '../notes/escape-html.js';
import { renderNote } from '../notes/render-note.js';
import { type RecordedJourney, recordedJourneys } from './recorded-journeys.test-support.js';
import { renderSummaryNote } from './render-summary-note.js';
import { extractiveNarrative, extractSummaryFacts } from './summary-facts.js';
import { readNoteLines } from './summary-lines.js';

export interface JourneyRetention {
  name: string;
  kept: number;
  expected: number;
  missing: string[];
}

/**
 * Runs each journey through the real path: written as a raw note by delivery's renderer, read back
 * from the note's HTML, summarized by the extractive summarizer, rendered as the summary note; then
 * counts how many expected error messages and pages the summary note shows.
 */
export function measureRetention(journeys: RecordedJourney[] = recordedJourneys): JourneyRetention[] {
  return journeys.map((journey) => {
    const raw = renderNote({
      conversationId: 'retention',
      lines: journey.lines.map((line) => ({
        number: line.number,
        action: { at: '2026-01-01T00:00:00.000Z', type: 'custom', description: line.text },
      })),
      formatLine: (action) => action.description,
    });
    const lines = readNoteLines(raw.html);
    const facts = extractSummaryFacts(lines, lines[0]?.number ?? 1, lines.at(-1)?.number ?? 1);
    const summary = renderSummaryNote({
      conversationId: 'retention',
      facts,
      narrative: extractiveNarrative(facts),
      writer: { kind: 'extractive', name: 'extractive' },
    });
    const wanted = [
      ...journey.expected.errorMessages.map((message) => `error "${message}"`),
      ...journey.expected.pages.map((page) => `page ${page}`),
    ];
    const missing = wanted.filter((item) => {
      const value = item.startsWith('error ') ? item.slice(7, -1) : item.slice(5);
      return !summary.html.includes(escapeHtml(value));
    });
    return { name: journey.name, kept: wanted.length - missing.length, expected: wanted.length, missing };
  });
}
