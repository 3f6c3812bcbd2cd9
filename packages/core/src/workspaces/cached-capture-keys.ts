import type { WorkspaceCaptureKeys } from '../ports/workspace-capture-keys.js';

export interface CachedCaptureKeysOptions {
  /** How long an answer (a product, or none) is reused: a removed workspace's key works this long. */
  ttlMs: number;
  /** Answers kept at most; past it the cache starts over (a flood of made-up keys cannot grow it). */
  maxEntries: number;
  now(): number;
}

/**
 * Remembers which product a workspace capture key belongs to, so a page's every request costs no
 * Redis read. Made-up keys are remembered as none for as long, within the same bound.
 */
export class CachedCaptureKeys implements WorkspaceCaptureKeys {
  private readonly answers = new Map<string, { productId: string | null; until: number }>();

  constructor(
    private readonly keys: WorkspaceCaptureKeys,
    private readonly options: CachedCaptureKeysOptions,
  ) {}

  async productOfCaptureKey(captureKey: string): Promise<string | null> {
    const now = this.options.now();
    const known = this.answers.get(captureKey);
    if (known && known.until > now) return known.productId;
    const productId = await this.keys.productOfCaptureKey(captureKey);
    if (this.answers.size >= this.options.maxEntries) this.answers.clear();
    this.answers.set(captureKey, { productId, until: now + this.options.ttlMs });
    return productId;
  }
}
