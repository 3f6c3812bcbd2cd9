import type { RedactionOptions } from '../redaction/index.js';

/** Options of `describeEvent`. */
export interface DescribeOptions {
  /**
   * Custom-event properties shown in the line, e.g. `(plan: Pro, step: 2)`. Values are redacted.
   * Default {@link DEFAULT_PROPERTY_ALLOWLIST}.
   */
  propertyAllowlist?: readonly string[];
  /** Query keys kept in page paths, e.g. `/settings?tab=billing`. Default {@link DEFAULT_QUERY_ALLOWLIST}. */
  queryAllowlist?: readonly string[];
  /** Passed to every `redactText` call. */
  redaction?: RedactionOptions;
}

/** Custom-event properties shown by default. */
export const DEFAULT_PROPERTY_ALLOWLIST: readonly string[] = [
  'plan',
  'step',
  'error',
  'reason',
  'status',
  'feature',
];

/** Query keys kept in page paths by default. */
export const DEFAULT_QUERY_ALLOWLIST: readonly string[] = ['tab', 'step', 'view', 'section', 'page'];

/** {@link DescribeOptions} with every default filled in. */
export interface ResolvedDescribeOptions {
  propertyAllowlist: readonly string[];
  queryAllowlist: readonly string[];
  redaction: RedactionOptions;
}

/** Fills in the defaults of {@link DescribeOptions}. */
export function resolveDescribeOptions(options: DescribeOptions = {}): ResolvedDescribeOptions {
  return {
    propertyAllowlist: options.propertyAllowlist ?? DEFAULT_PROPERTY_ALLOWLIST,
    queryAllowlist: options.queryAllowlist ?? DEFAULT_QUERY_ALLOWLIST,
    redaction: options.redaction ?? {},
  };
}
