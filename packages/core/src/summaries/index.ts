export {
  type Summarizer,
  SummarizerError,
  type SummarizerErrorReason,
  type SummaryPrompt,
} from '../ports/summarizer.js';
export type {
  PendingSummary,
  SummaryLine,
  SummaryRecord,
  SummaryState,
  SummaryStore,
  SummaryWriterKind,
} from '../ports/summary-store.js';
export { buildSummaryPrompt, maxPromptLines } from './build-summary-prompt.js';
export { cleanNarrative } from './clean-narrative.js';
export { type RenderSummaryNoteInput, renderSummaryNote, summaryReference } from './render-summary-note.js';
export {
  type SummarizeConversationDependencies,
  type SummaryOutcome,
  summarizeConversation,
} from './summarize-conversation.js';
export {
  extractiveNarrative,
  extractSummaryFacts,
  type RepeatedLine,
  type SummaryFacts,
  whereItBroke,
} from './summary-facts.js';
export { condenseLines, isErrorLine, isFrictionLine, pagesOf, readNoteLines } from './summary-lines.js';
export { defaultKeptRawNotes, nextSummaryWindow, type SummaryWindow } from './summary-window.js';
