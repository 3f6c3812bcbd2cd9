import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deliverNotesJob, linkConversationJob } from './job-catalog.js';
import { jobIdPart } from './job-id.js';
import { summarizeConversationJob } from './summary-job.js';

/** Undoes `jobIdPart`: every `_` starts an escape of exactly four hex digits. */
function decode(part: string): string {
  return part.replace(/_([0-9a-f]{4})/g, (_escape, hex: string) =>
    String.fromCharCode(Number.parseInt(hex, 16)),
  );
}

describe('jobIdPart', () => {
  it('keeps ids made of letters, digits, dots and dashes as they are (Intercom ids keep their job ids)', () => {
    expect(jobIdPart('215470000000001')).toBe('215470000000001');
    expect(deliverNotesJob.deduplicationId('215470000000001')).toBe('deliver-215470000000001');
    expect(jobIdPart('conv-1.a')).toBe('conv-1.a');
  });

  it('no longer folds `a/b` and `a_2fb` into one id', () => {
    expect(jobIdPart('a/b')).toBe('a_002fb');
    expect(jobIdPart('a_2fb')).toBe('a_005f2fb');
    expect(jobIdPart('a:b')).toBe('a_003ab');
  });

  it('is injective and never has a `:` (BullMQ refuses it), for any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (id) => {
        const part = jobIdPart(id);
        expect(part).toMatch(/^[A-Za-z0-9._-]*$/);
        // A left inverse exists, so no two ids share a part.
        expect(decode(part)).toBe(id);
      }),
      { numRuns: 2000 },
    );
    // Lone surrogates and near misses of an escape stay apart too.
    for (const [left, right] of [
      ['\ud800', '\ufffd'],
      ['_0041', 'A'],
      ['é', '_00e9'],
    ]) {
      expect(jobIdPart(left!)).not.toBe(jobIdPart(right!));
    }
  });

  it('is what every custom id of the catalog is made of', () => {
    expect(linkConversationJob.jobId('notif_1/2')).toBe('link-notif_005f1_002f2');
    expect(summarizeConversationJob.deduplicationId('a/b')).toBe('summarize-a_002fb');
  });
});
