/**
 * The send time posthog-js puts in the `_` query parameter (epoch milliseconds), which PostHog's
 * capture uses as `sent_at` when the body has none. Values that read as before 2021 are seconds
 * from older SDKs, or noise, and are ignored as PostHog does.
 */
export function sentAtFromQuery(query: Record<string, string | undefined>): Date | undefined {
  const raw = query._?.trim();
  if (raw === undefined || !/^\d{1,16}$/.test(raw)) return undefined;
  const date = new Date(Number(raw));
  return date.getUTCFullYear() > 2020 && date.getUTCFullYear() <= 9999 ? date : undefined;
}
