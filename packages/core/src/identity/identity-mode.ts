/**
 * How capture treats who an event says it is from (`CAPTURE_IDENTITY`):
 * - `off`: trusts `distinct_id`, as PostHog does;
 * - `mark`: keeps unverified events and marks their actions `verified: false`;
 * - `require`: keeps only verified events of identified users; anonymous visitors' events are kept
 *   apart and reach a user only through a verified `$identify`.
 */
export type IdentityMode = 'off' | 'mark' | 'require';

export const identityModes: readonly IdentityMode[] = Object.freeze(['off', 'mark', 'require']);

/** What a capture request says about the identity of its events. */
export interface IdentitySettings {
  mode: IdentityMode;
  /** The request used the server key (a product backend): every event counts as verified. */
  isTrustedSource: boolean;
}
