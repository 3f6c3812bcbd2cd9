import { IntercomError, type IntercomPort } from '@threadline/core';
import type { Metrics } from '@threadline/observability';

type Operation = keyof IntercomPort;

function statusOf(error: unknown): string {
  if (error instanceof IntercomError) return error.status ? String(error.status) : error.code;
  return 'error';
}

/**
 * One workspace's Intercom port with every call counted in
 * `threadline_intercom_calls_total{operation,status,workspace}` (`workspace`: its bounded label).
 */
export function countedIntercom(
  intercom: IntercomPort,
  metrics: Pick<Metrics, 'intercomCalls'>,
  workspace: string,
): IntercomPort {
  const counted =
    <Args extends unknown[], Result>(operation: Operation, call: (...args: Args) => Promise<Result>) =>
    async (...args: Args): Promise<Result> => {
      try {
        const result = await call(...args);
        metrics.intercomCalls.inc({ operation, status: '200', workspace });
        return result;
      } catch (error) {
        metrics.intercomCalls.inc({ operation, status: statusOf(error), workspace });
        throw error;
      }
    };
  return {
    addNote: counted('addNote', intercom.addNote.bind(intercom)),
    findNoteByReference: counted('findNoteByReference', intercom.findNoteByReference.bind(intercom)),
    findContact: counted('findContact', intercom.findContact.bind(intercom)),
    listNotes: counted('listNotes', intercom.listNotes.bind(intercom)),
    redactPart: counted('redactPart', intercom.redactPart.bind(intercom)),
  };
}
