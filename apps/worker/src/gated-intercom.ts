import { IntercomError, type IntercomPort } from '@threadline/core';
import type { NotesSendGate } from '@threadline/jobs';

/**
 * The Intercom port behind the workspace's send gate: every call is counted against the shared
 * budget first, and none is made while a 429 is being waited out or after a 401/403 paused sending.
 * Refusals come back as the same `IntercomError`s Intercom's own answers would be.
 */
export function gatedIntercom(intercom: IntercomPort, gate: Pick<NotesSendGate, 'beforeCall'>): IntercomPort {
  const admit = async () => {
    const permission = await gate.beforeCall();
    if (permission.kind === 'wait')
      throw new IntercomError('rate_limited', 'the Intercom budget of this window is used up', {
        retryAfterMs: permission.ms,
      });
    if (permission.kind === 'paused')
      throw new IntercomError('unauthorized', 'sending to Intercom is paused (see `threadline status`)');
  };
  return {
    async addNote(conversationId, note) {
      await admit();
      return intercom.addNote(conversationId, note);
    },
    async findNoteByReference(conversationId, reference) {
      await admit();
      return intercom.findNoteByReference(conversationId, reference);
    },
    async findContact(contactId) {
      await admit();
      return intercom.findContact(contactId);
    },
    async listNotes(conversationId) {
      await admit();
      return intercom.listNotes(conversationId);
    },
    async redactPart(conversationId, partId) {
      await admit();
      return intercom.redactPart(conversationId, partId);
    },
  };
}
