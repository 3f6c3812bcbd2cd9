import { activityNotice } from '../notes/activity-notice.js';
import { escapeHtml } from '../notes/escape-html.js';
import type { SummaryWriterKind } from '../ports/summary-store.js';
import type { SummaryFacts } from './summary-facts.js';
import { whereItBroke } from './summary-facts.js';

export interface RenderSummaryNoteInput {
  conversationId: string;
  facts: SummaryFacts;
  /** The narrative (from the LLM or the extractive summarizer); escaped here like any product value. */
  narrative: string;
  writer: { kind: SummaryWriterKind; name: string };
}

/**
 * `tl-<conversation>-summary-<first>-<last>`: unique per conversation, because each summary ends past
 * the one before it (so no earlier reference can contain a later one).
 */
export function summaryReference(conversationId: string, first: number, last: number): string {
  return `tl-${conversationId}-summary-${first}-${last}`;
}

function numbers(list: number[]): string {
  return list.map((number) => `[${number}]`).join(', ');
}

/**
 * The summary note: marked as a summary with the actions it covers and who wrote it, the narrative,
 * where it broke, every error with its message, the pages and the flow. Error lines are list items,
 * not `<p>[n] …</p>` paragraphs, so nothing reads them as raw action lines.
 */
export function renderSummaryNote(input: RenderSummaryNoteInput): { html: string; reference: string } {
  const { facts } = input;
  const reference = summaryReference(input.conversationId, facts.firstNumber, facts.lastNumber);
  const writtenBy =
    input.writer.kind === 'llm'
      ? `written by ${input.writer.name}`
      : `written by Threadline's extractive summarizer`;
  const parts = [
    `<p><i>${escapeHtml(activityNotice)}</i></p>`,
    `<p><b>Summary of actions [${facts.firstNumber}]–[${facts.lastNumber}]</b> (${escapeHtml(writtenBy)}; the raw notes it replaces are redacted)</p>`,
    `<p><b>What happened:</b> ${escapeHtml(input.narrative)}</p>`,
    `<p><b>Where it broke:</b> ${escapeHtml(whereItBroke(facts))}</p>`,
  ];
  if (facts.errors.length > 0) {
    parts.push(`<p><b>Errors (${facts.errors.length}):</b></p>`);
    parts.push(
      `<ul>${facts.errors.map((error) => `<li>${numbers(error.numbers)} ${escapeHtml(error.text)}</li>`).join('')}</ul>`,
    );
  } else {
    parts.push('<p><b>Errors:</b> none</p>');
  }
  if (facts.friction.length > 0) {
    parts.push(
      `<p><b>Stuck:</b></p><ul>${facts.friction.map((line) => `<li>${numbers(line.numbers)} ${escapeHtml(line.text)}</li>`).join('')}</ul>`,
    );
  }
  if (facts.pages.length > 0) parts.push(`<p><b>Pages:</b> ${escapeHtml(facts.pages.join(', '))}</p>`);
  if (facts.flow.length > 1) parts.push(`<p><b>Flow:</b> ${escapeHtml(facts.flow.join(' → '))}</p>`);
  parts.push(`<p><i>Threadline summary · ${escapeHtml(reference)}</i></p>`);
  return { html: parts.join(''), reference };
}
