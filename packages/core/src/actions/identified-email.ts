import type { CapturedEvent } from './action.js';

const emailShape = /^[^\s@]{1,64}@[^\s@]{1,255}\.[^\s@]{2,63}$/;

function emailFrom(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const email = value.trim().toLowerCase();
  return emailShape.test(email) ? email : null;
}

/**
 * The email an identify call sets on the user (`$set.email`, `$set_once.email`, or `email` on an
 * `$identify`), normalised; null when there is none.
 */
export function identifiedEmail(event: CapturedEvent): string | null {
  const { properties } = event;
  for (const bag of [properties.$set, properties.$set_once]) {
    if (bag && typeof bag === 'object') {
      const email = emailFrom((bag as Record<string, unknown>).email);
      if (email) return email;
    }
  }
  return event.event === '$identify' ? emailFrom(properties.email) : null;
}
