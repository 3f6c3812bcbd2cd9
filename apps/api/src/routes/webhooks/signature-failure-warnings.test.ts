import { describe, expect, it } from 'vitest';
import { badSignatureHint, SignatureFailureWarnings } from './signature-failure-warnings.js';

/** A log sink that keeps what was written at warn. */
function sink() {
  const lines: { fields: Record<string, unknown>; message: string }[] = [];
  return {
    lines,
    logger: { warn: (fields: Record<string, unknown>, message: string) => lines.push({ fields, message }) },
  };
}

describe('SignatureFailureWarnings', () => {
  it('warns at once for the first failure, then once for the rest of the minute with their count', () => {
    let now = 0;
    const { lines, logger } = sink();
    const warnings = new SignatureFailureWarnings(logger as never, { now: () => now });
    try {
      warnings.record();
      expect(lines).toHaveLength(1);
      expect(lines[0]?.fields).toEqual({ badSignatures: 1, hint: badSignatureHint });
      for (let i = 0; i < 40; i += 1) {
        now += 1000;
        warnings.record();
      }
      expect(lines).toHaveLength(1);
      now = 60_000;
      warnings.flush();
      expect(lines).toHaveLength(2);
      expect(lines[1]?.fields.badSignatures).toBe(40);
      expect(lines[1]?.message).toMatch(/40 more in the last minute/);
      // Nothing new: the end of the next minute writes nothing.
      warnings.flush();
      expect(lines).toHaveLength(2);
      expect(badSignatureHint).toMatch(/INTERCOM_CLIENT_SECRET.*Basic information/);
    } finally {
      warnings.stop();
    }
  });

  it('after a quiet minute, warns at once again', () => {
    let now = 0;
    const { lines, logger } = sink();
    const warnings = new SignatureFailureWarnings(logger as never, { now: () => now });
    warnings.record();
    now = 61_000;
    warnings.record();
    expect(lines.map((line) => line.fields.badSignatures)).toEqual([1, 1]);
    warnings.stop();
  });
});
