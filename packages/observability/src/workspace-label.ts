/** How many workspaces get a `workspace` label value of their own by default. */
export const defaultMaxWorkspaceLabels = 50;

/** The `workspace` label value of the workspaces past the cap. */
export const otherWorkspaceLabel = 'other';

/**
 * The `workspace` label of the metrics, with bounded cardinality: the first `maxLabels` products this
 * process counts are their own value (the product id, which is not a secret), every later one is
 * `other`, so a deployment with thousands of workspaces keeps a bounded number of series.
 */
export class WorkspaceLabel {
  private readonly named = new Set<string>();

  constructor(private readonly maxLabels = defaultMaxWorkspaceLabels) {}

  of(productId: string): string {
    if (this.named.has(productId)) return productId;
    if (this.named.size >= this.maxLabels) return otherWorkspaceLabel;
    this.named.add(productId);
    return productId;
  }
}
