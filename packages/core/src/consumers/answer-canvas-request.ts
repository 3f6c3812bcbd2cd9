import { z } from 'zod';
import { byEventTime } from '../actions/event-time-order.js';
import type { IdentityMode } from '../identity/identity-mode.js';
import type { ActivityStore } from '../ports/activity-store.js';
import { buildActivityCanvas } from './activity-canvas.js';
import type { CanvasResponse } from './canvas-components.js';

/**
 * The part of a Canvas Kit initialize or submit request Threadline reads: the contact the teammate is
 * looking at (its `external_id` is the product's user id, as linking uses it). Everything else in the
 * request is left alone.
 */
export const canvasRequestSchema = z.object({
  contact: z
    .object({ id: z.string().optional(), external_id: z.string().max(512).nullish() })
    .passthrough()
    .nullish(),
  component_id: z.string().optional(),
});

export interface AnswerCanvasDependencies {
  activity: Pick<ActivityStore, 'listRecent'>;
  /** The product the Intercom workspace's users belong to (PRODUCT_ID). */
  productId: string;
  identityMode: IdentityMode;
  /** Past it the canvas says the activity is unavailable instead of making Intercom wait. */
  deadlineMs: number;
  now(): Date;
}

/** Errors are looked for among this many of the newest actions; the canvas lists ten of them. */
const readWindow = 50;

export type CanvasOutcome =
  | { kind: 'canvas'; canvas: CanvasResponse }
  | { kind: 'malformed'; message: string };

/** A signature-checked Canvas Kit request's body → the canvas to show beside the conversation. */
export async function answerCanvasRequest(
  body: unknown,
  deps: AnswerCanvasDependencies,
): Promise<CanvasOutcome> {
  const parsed = canvasRequestSchema.safeParse(body);
  if (!parsed.success)
    return { kind: 'malformed', message: 'not a Canvas Kit request: contact is malformed' };
  const userId = parsed.data.contact?.external_id?.trim();
  if (!userId) return { kind: 'canvas', canvas: buildActivityCanvas({ kind: 'no_user_id' }, deps.now()) };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), deps.deadlineMs);
  });
  try {
    const actions = await Promise.race([
      deps.activity.listRecent({ productId: deps.productId, userId }, readWindow),
      late,
    ]);
    if (actions === 'late')
      return { kind: 'canvas', canvas: buildActivityCanvas({ kind: 'unavailable' }, deps.now()) };
    return {
      kind: 'canvas',
      canvas: buildActivityCanvas(
        // Newest arrivals, shown by when they happened.
        { kind: 'activity', userId, actions: byEventTime(actions), identityMode: deps.identityMode },
        deps.now(),
      ),
    };
  } catch {
    return { kind: 'canvas', canvas: buildActivityCanvas({ kind: 'unavailable' }, deps.now()) };
  } finally {
    clearTimeout(timer);
  }
}
