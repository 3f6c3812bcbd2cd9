/** One DOM element of an autocapture event, as PostHog records it. Values are untrusted product text. */
export interface ElementInfo {
  /** Lower-case tag name, e.g. `button`; empty when unknown. */
  tag: string;
  classes: string[];
  /** Visible text PostHog captured for the element (for buttons and links: their nested span text). */
  text?: string;
  href?: string;
  /** The `id` attribute. */
  id?: string;
  nthChild?: number;
  nthOfType?: number;
  /** The text of the field's `<label>`, when the source captured it (Amplitude's parent label). */
  label?: string;
  /** The text of the element `aria-labelledby` points at, when the source captured it. */
  labelledByText?: string;
  /** Other captured attributes by HTML name (`aria-label`, `name`, `type`, `role`, `data-attr`…). */
  attributes: Record<string, string>;
}
