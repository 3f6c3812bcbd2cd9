import type { ExtractContext } from '@threadline/capture';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiDependencies } from '../../dependencies.js';
import type { CaptureEntry } from '../capture/capture-entry.js';
import { replyRefused } from '../capture/capture-routes.js';

/**
 * `onRequest` of a source's capture paths: the app's capture answers 503 while Redis is out and 429
 * for a client it refused a moment ago, before the body is read, as PostHog capture does.
 */
export function refuseBeforeBody(capture: CaptureEntry) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const outcome = capture.beforeBody(request.ip);
    if (outcome?.kind === 'refused') return replyRefused(reply, outcome);
  };
}

/** What a source's decoder needs to read events now: the time, and the secret of identity proofs when checked. */
export function sourceExtractContext(deps: ApiDependencies): ExtractContext {
  const { identity, identitySecret } = deps.config.capture;
  return { now: deps.now(), ...(identity !== 'off' && identitySecret ? { identitySecret } : {}) };
}
