/**
 * The part of a job id (or a deduplication id) made from an outside id. BullMQ refuses `:` in custom
 * ids, so letters, digits, `.` and `-` stay as they are and every other UTF-16 unit becomes `_` and
 * four hex digits (`a/b` → `a_002fb`, `a_2fb` → `a_005f2fb`). Injective: `_` never stands for itself,
 * and each escape has one length, so two ids never share a job.
 */
export function jobIdPart(id: string): string {
  return id.replace(/[^A-Za-z0-9.-]/g, (unit) => `_${unit.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
