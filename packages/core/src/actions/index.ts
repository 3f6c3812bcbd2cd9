export { collapseRepeats } from './collapse-repeats.js';
export { describeEvent } from './describe-event.js';
export {
  DEFAULT_PROPERTY_ALLOWLIST,
  DEFAULT_QUERY_ALLOWLIST,
  type DescribeOptions,
} from './describe-options.js';
export type { ElementInfo } from './element-info.js';
export {
  byEventTime,
  earlierMarker,
  lateArrivalSlack,
  newestByEventTime,
  type PlannedLine,
  type PlannedNote,
  planNoteLines,
  prechatCursor,
  recentReadWindow,
} from './event-time-order.js';
export { formatAction } from './format-action.js';
export { humanizeEventName } from './humanize-event-name.js';
export { defangLinks, stripInvisible } from './inert-text.js';
export { pagePath } from './page-path.js';
export { parseElementsArray } from './parse-elements-array.js';
export { parseElementsChain } from './parse-elements-chain.js';
