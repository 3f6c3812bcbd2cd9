import type { SummaryLine } from '../ports/summary-store.js';
import { actionText, isErrorLine, isFrictionLine, pagesOf } from './summary-lines.js';

/** The same line text seen at several numbers, listed once. */
export interface RepeatedLine {
  numbers: number[];
  text: string;
}

/** What a summary always states, whoever writes its narrative. Extracted, never paraphrased. */
export interface SummaryFacts {
  firstNumber: number;
  lastNumber: number;
  /** Lines read (roll-ups include the previous summary's condensed lines). */
  lineCount: number;
  /** Every distinct error line, with its message, in order of first appearance. */
  errors: RepeatedLine[];
  /** Rage clicks and dead clicks. */
  friction: RepeatedLine[];
  /** Every page named, in order of first appearance. */
  pages: string[];
  /** Pages in the order they were used, consecutive repeats folded; the newest `maxFlowSteps`. */
  flow: string[];
  busiestPage: { page: string; actions: number } | null;
  /** The last few things the user did on purpose (submits, clicks, changes, custom events) before it broke. */
  intent: SummaryLine[];
  /** The first error (or, without errors, the last friction). */
  brokeAt: SummaryLine | null;
  lastAction: SummaryLine | null;
}

const maxFlowSteps = 15;
const maxIntentLines = 3;
/** Looking around rather than doing: not what the user was trying to do. */
const passive = /^(Viewed|Signed in)\b/;

function group(lines: SummaryLine[]): RepeatedLine[] {
  const byText = new Map<string, RepeatedLine>();
  for (const line of lines) {
    const seen = byText.get(line.text);
    if (seen) seen.numbers.push(line.number);
    else byText.set(line.text, { numbers: [line.number], text: line.text });
  }
  return [...byText.values()];
}

/** Extracts the facts of a summary from its lines (ordered by number). */
export function extractSummaryFacts(
  lines: SummaryLine[],
  firstNumber: number,
  lastNumber: number,
): SummaryFacts {
  const errorLines = lines.filter((line) => isErrorLine(line.text));
  const frictionLines = lines.filter((line) => isFrictionLine(line.text));
  const pages: string[] = [];
  const flow: string[] = [];
  const perPage = new Map<string, number>();
  for (const line of lines) {
    const named = pagesOf(line.text);
    for (const page of named) {
      if (!pages.includes(page)) pages.push(page);
      if (flow.at(-1) !== page) flow.push(page);
    }
    const page = named.at(-1);
    if (page) perPage.set(page, (perPage.get(page) ?? 0) + 1);
  }
  let busiestPage: SummaryFacts['busiestPage'] = null;
  for (const [page, actions] of perPage) {
    if (!busiestPage || actions > busiestPage.actions) busiestPage = { page, actions };
  }
  const brokeAt = errorLines[0] ?? frictionLines.at(-1) ?? null;
  const before = brokeAt ? lines.filter((line) => line.number < brokeAt.number) : lines;
  const intent = before
    .filter((line) => !passive.test(actionText(line.text)) && !isErrorLine(line.text))
    .slice(-maxIntentLines);
  return {
    firstNumber,
    lastNumber,
    lineCount: lines.length,
    errors: group(errorLines),
    friction: group(frictionLines),
    pages,
    flow: flow.length > maxFlowSteps ? ['…', ...flow.slice(-maxFlowSteps)] : flow,
    busiestPage,
    intent,
    brokeAt,
    lastAction: lines.at(-1) ?? null,
  };
}

function cite(line: SummaryLine): string {
  return `[${line.number}] ${line.text}`;
}

/** The built-in narrative: what the user was doing and where, from the facts alone. */
export function extractiveNarrative(facts: SummaryFacts): string {
  const sentences: string[] = [];
  if (facts.flow.length > 0) {
    const busiest = facts.busiestPage
      ? `, mostly on ${facts.busiestPage.page} (${facts.busiestPage.actions} of ${facts.lineCount} actions)`
      : '';
    sentences.push(`Went through ${facts.flow.join(' → ')}${busiest}.`);
  }
  if (facts.intent.length > 0) {
    const when = facts.errors.length > 0 ? 'Last steps before the first error' : 'Last deliberate steps';
    sentences.push(`${when}: ${facts.intent.map(cite).join('; ')}.`);
  }
  if (facts.errors.length > 0) {
    const count = facts.errors.reduce((total, error) => total + error.numbers.length, 0);
    sentences.push(`${count} error${count === 1 ? '' : 's'} (${facts.errors.length} distinct).`);
  } else if (facts.friction.length > 0) {
    sentences.push('No errors, but signs of being stuck (rage or dead clicks).');
  } else {
    sentences.push('No errors seen.');
  }
  if (facts.lastAction) sentences.push(`Last action covered: ${cite(facts.lastAction)}.`);
  return sentences.join(' ');
}

/** One line saying where it broke, for the note. */
export function whereItBroke(facts: SummaryFacts): string {
  if (!facts.brokeAt) return 'nothing broke in these actions';
  const lastError = facts.errors.at(-1);
  const lastNumber = lastError?.numbers.at(-1);
  const later =
    lastError && lastNumber !== undefined && lastNumber !== facts.brokeAt.number
      ? `; last error at [${lastNumber}] ${lastError.text}`
      : '';
  return `${cite(facts.brokeAt)}${later}`;
}
