/** Bounds applied to every capture request; the route may pass its own. */
export interface CaptureLimits {
  /** Largest body accepted as received, compressed or not. Default 1 MiB. */
  maxBodyBytes: number;
  /** Largest payload after decompression or decoding. Default 5 MiB. Gzip bombs stop at this size. */
  maxDecodedBytes: number;
  /** Most events in one request. Default 1000. */
  maxEventsPerBatch: number;
  /** Every string value inside `properties` is cut to this many characters. Default 4096. */
  maxStringChars: number;
  /** Objects and arrays nested deeper than this inside `properties` are dropped. Default 8. */
  maxPropertyDepth: number;
  /** Most keys kept per object (and items per array) inside `properties`. Default 500. */
  maxProperties: number;
}

/** The limits used when the caller passes none. */
export const defaultCaptureLimits: CaptureLimits = Object.freeze({
  maxBodyBytes: 1024 * 1024,
  maxDecodedBytes: 5 * 1024 * 1024,
  maxEventsPerBatch: 1000,
  maxStringChars: 4096,
  maxPropertyDepth: 8,
  maxProperties: 500,
});
