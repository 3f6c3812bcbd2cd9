import type { LinkStore } from '../ports/link-store.js';
import { type LifecycleEffect, type LifecycleEvent, nextLifecycle } from './link-lifecycle.js';

export interface ApplyLifecycleOutcome {
  effect: LifecycleEffect;
  /** Whether the conversation is linked (after the event). */
  isLinked: boolean;
}

/** Another worker moved the record between our read and our write this many times in a row: give up. */
const maxAttempts = 5;

/**
 * Moves a conversation's lifecycle record by one event (see {@link nextLifecycle}) and does what the
 * transition says to the store: `pause` and `renew` only write the record, `resume` also marks the
 * catch-up note, `end` removes the link and every key of it. The write is compare-and-set, so two
 * workers applying events of one conversation at once end where the events' times say.
 */
export async function applyLifecycleEvent(
  conversationId: string,
  event: LifecycleEvent,
  links: Pick<LinkStore, 'lifecycle' | 'setLifecycle' | 'end' | 'get'>,
  reason = `lifecycle ${event.kind}`,
): Promise<ApplyLifecycleOutcome> {
  for (let attempt = 0; attempt < maxAttempts; attempt += 1) {
    const current = await links.lifecycle(conversationId);
    const transition = nextLifecycle(current, event);
    if (transition.effect === 'stale' || transition.effect === 'none') {
      return { effect: transition.effect, isLinked: (await links.get(conversationId)) !== null };
    }
    if (transition.effect === 'end') {
      await links.end(conversationId, transition.record, reason);
      return { effect: 'end', isLinked: false };
    }
    const catchUp =
      transition.effect === 'resume' && current && (current.state === 'closed' || current.state === 'snoozed')
        ? { from: current.state, since: current.at }
        : undefined;
    if (await links.setLifecycle(conversationId, current, transition.record, catchUp)) {
      return { effect: transition.effect, isLinked: (await links.get(conversationId)) !== null };
    }
  }
  throw new Error(`the lifecycle of conversation ${conversationId} kept changing under us`);
}
