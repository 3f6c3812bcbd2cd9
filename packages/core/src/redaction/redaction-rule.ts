import type { TextTraits } from './text-traits.js';

/**
 * One kind of sensitive value: a global, linear-time pattern and what to put in its place. `replace`
 * gets the same arguments as a `String.prototype.replace` callback and returns the match itself when
 * a closer check (checksum, entropy…) says it is not sensitive after all.
 */
export interface RedactionRule {
  name: string;
  pattern: RegExp;
  // biome-ignore lint/suspicious/noExplicitAny: the arguments of a String.replace callback
  replace: (match: string, ...groups: any[]) => string;
  /**
   * A cheap necessary condition (a trigger character, enough digits…): when it is false, the pattern
   * cannot match or `replace` would give every match back unchanged, so the rule is skipped. Absent:
   * the rule always runs.
   */
  mayChange?: (text: string, traits: TextTraits) => boolean;
}
