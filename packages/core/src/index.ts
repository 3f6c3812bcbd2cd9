export type { Action, ActionType, CapturedEvent } from './actions/action.js';
