import { type IntercomPort, type IntercomSendGate, SendGateRefusal } from '@threadline/core';

/**
 * A workspace's Intercom port behind that workspace's send gate: every call is counted against its
 * budget first, and none is made while its 429 is being waited out or after a 401/403 paused it.
 * The gate's refusals are `SendGateRefusal`s (no call was made), never dressed as Intercom's answers.
 */
export function gatedIntercom(
  intercom: IntercomPort,
  gate: Pick<IntercomSendGate, 'beforeCall'>,
): IntercomPort {
  const admit = async () => {
    const permission = await gate.beforeCall();
    if (permission.kind === 'wait') throw new SendGateRefusal('wait', permission.ms);
    if (permission.kind === 'paused') throw new SendGateRefusal('paused');
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
