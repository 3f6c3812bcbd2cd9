/**
 * A client event id (PostHog `uuid`, Segment `messageId`, Amplitude `insert_id`) as a 52-bit
 * integer: Redis keeps a set of such numbers as an intset, 8 bytes an id, and 2^52 leaves
 * collisions within one user's window at about one in 10^8 for 10,000 events.
 *
 * Two 32-bit multiply-xorshift lanes over the UTF-16 code units (cyrb53's mixing), cut to 52 bits:
 * a tenth of a SHA-256's cost, which showed in capture profiles. It need not resist a chosen
 * collision: the numbers only ever meet the ids of the same user's events, and whoever can send
 * events as that user could as well resend their ids.
 */
export function eventIdNumber(eventId: string | undefined): string {
  if (!eventId) return '';
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let index = 0; index < eventId.length; index += 1) {
    const code = eventId.charCodeAt(index);
    h1 = Math.imul(h1 ^ code, 2654435761);
    h2 = Math.imul(h2 ^ code, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return String((h2 & 0xfffff) * 0x100000000 + (h1 >>> 0));
}
