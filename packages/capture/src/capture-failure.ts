/** Why a capture request was refused: `malformed` maps to 400, `too_large` to 413. */
export type CaptureFailure = { ok: false; code: 'malformed' | 'too_large'; message: string };

/** A request whose content cannot be understood. */
export function malformed(message: string): CaptureFailure {
  return { ok: false, code: 'malformed', message };
}

/** A request bigger than the limits allow, before or after decoding. */
export function tooLarge(message: string): CaptureFailure {
  return { ok: false, code: 'too_large', message };
}
