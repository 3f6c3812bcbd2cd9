export {
  classifyOpenAiError,
  defaultOpenAiBaseUrl,
  OpenAiSummarizer,
  type OpenAiSummarizerOptions,
} from './openai-summarizer.js';
