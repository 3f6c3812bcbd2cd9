export type { Action, ActionType, CapturedEvent } from './actions/action.js';
export * from './actions/index.js';
export * from './redaction/index.js';
