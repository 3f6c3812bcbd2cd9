/** What a slicer did with a list: each item's result, for the items it reached. */
export interface SlicedResults<T, R> {
  results: Map<T, R>;
  /** How many items, from the first, were done; the rest were over the budget. */
  count: number;
}

/**
 * Runs CPU-bound work over a list without holding the event loop: in slices, fairly between the
 * lists in flight, each list stopping once it has used `budgetMs` of CPU.
 */
export interface WorkSlicer {
  map<T, R>(items: readonly T[], work: (item: T) => R, budgetMs: number): Promise<SlicedResults<T, R>>;
}
