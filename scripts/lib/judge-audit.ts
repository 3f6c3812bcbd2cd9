/**
 * Decides what a `pnpm audit --prod --json` run means for CI: pass, fail on a high or critical
 * advisory that is not accepted in `audit-allowlist.json`, or warn and pass when the registry's audit
 * endpoint could not be reached (and only then).
 */

export type Severity = 'info' | 'low' | 'moderate' | 'high' | 'critical';

/** What CI fails on. */
export const blockingSeverities: ReadonlySet<Severity> = new Set(['high', 'critical']);

export interface AuditAdvisory {
  id: number;
  github_advisory_id?: string;
  module_name: string;
  severity: Severity;
  title: string;
  url?: string;
  vulnerable_versions?: string;
  patched_versions?: string;
  findings?: { version: string; paths: string[] }[];
}

/** One accepted advisory: why, and until when the acceptance holds. */
export interface AllowlistEntry {
  /** `GHSA-…` or the registry's numeric advisory id. */
  id: string;
  reason: string;
  /** `YYYY-MM-DD`: after this day the advisory blocks again. */
  expires?: string;
}

export interface AuditRun {
  /** The process's standard output (pnpm prints its JSON report, or a JSON error, there). */
  stdout: string;
  stderr: string;
  /** Set when the process could not run or was stopped (e.g. the time limit). */
  spawnError?: string;
}

export type AuditVerdict =
  | { kind: 'pass'; accepted: AuditAdvisory[]; minor: AuditAdvisory[]; unusedEntries: string[] }
  | { kind: 'fail'; blocking: AuditAdvisory[]; accepted: AuditAdvisory[]; problems: string[] }
  | { kind: 'unreachable'; message: string }
  | { kind: 'broken'; message: string };

/** Error codes and messages that mean "no answer from the audit endpoint", not "something is wrong". */
const unreachable =
  /ERR_PNPM_AUDIT_BAD_RESPONSE|ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|socket hang up|network|fetch failed|ERR_PNPM_FETCH/i;

function entryProblem(entry: Partial<AllowlistEntry> | null): string | null {
  if (typeof entry?.id !== 'string' || entry.id.trim() === '') return '"id" is required';
  if (typeof entry.reason !== 'string' || entry.reason.trim().length < 10) {
    return `${entry.id}: "reason" must say why it is accepted`;
  }
  if (entry.expires !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(entry.expires)) {
    return `${entry.id}: "expires" must be YYYY-MM-DD`;
  }
  return null;
}

/** Checks the allowlist file's shape: every entry needs an id and a reason; `expires` is a date. */
export function readAllowlist(json: unknown): { entries: AllowlistEntry[]; problems: string[] } {
  const problems: string[] = [];
  const list = (json as { advisories?: unknown } | null)?.advisories;
  if (!Array.isArray(list))
    return { entries: [], problems: ['audit-allowlist.json: "advisories" must be an array'] };
  const entries: AllowlistEntry[] = [];
  for (const [index, raw] of list.entries()) {
    const problem = entryProblem(raw as Partial<AllowlistEntry> | null);
    if (problem) problems.push(`audit-allowlist.json advisories[${index}]: ${problem}`);
    else entries.push(raw as AllowlistEntry);
  }
  return { entries, problems };
}

function idsOf(advisory: AuditAdvisory): string[] {
  return [String(advisory.id), ...(advisory.github_advisory_id ? [advisory.github_advisory_id] : [])];
}

export function judgeAudit(run: AuditRun, allowlist: AllowlistEntry[], today: string): AuditVerdict {
  if (run.spawnError) {
    return unreachable.test(run.spawnError) || /ETIMEDOUT|timed? ?out/i.test(run.spawnError)
      ? { kind: 'unreachable', message: run.spawnError }
      : { kind: 'broken', message: `pnpm audit could not run: ${run.spawnError}` };
  }
  let report: { advisories?: Record<string, AuditAdvisory>; error?: { code?: string; message?: string } };
  try {
    report = JSON.parse(run.stdout);
  } catch {
    const text = `${run.stdout}\n${run.stderr}`.trim();
    return unreachable.test(text)
      ? { kind: 'unreachable', message: text.slice(0, 500) }
      : { kind: 'broken', message: `pnpm audit printed no JSON report: ${text.slice(0, 500)}` };
  }
  if (report.error) {
    const message = `${report.error.code ?? ''} ${report.error.message ?? ''}`.trim();
    return unreachable.test(message)
      ? { kind: 'unreachable', message }
      : { kind: 'broken', message: `pnpm audit failed: ${message}` };
  }
  if (typeof report.advisories !== 'object' || report.advisories === null) {
    return { kind: 'broken', message: 'pnpm audit answered JSON without "advisories"' };
  }
  const advisories = Object.values(report.advisories);
  const problems: string[] = [];
  const used = new Set<string>();
  const accepted: AuditAdvisory[] = [];
  const blocking: AuditAdvisory[] = [];
  const minor: AuditAdvisory[] = [];
  for (const advisory of advisories) {
    if (!blockingSeverities.has(advisory.severity)) {
      minor.push(advisory);
      continue;
    }
    const entry = allowlist.find((candidate) => idsOf(advisory).includes(candidate.id));
    if (entry) used.add(entry.id);
    if (entry && (entry.expires === undefined || entry.expires >= today)) accepted.push(advisory);
    else {
      if (entry) problems.push(`${entry.id}: accepted until ${entry.expires}, which has passed`);
      blocking.push(advisory);
    }
  }
  if (blocking.length > 0) return { kind: 'fail', blocking, accepted, problems };
  return {
    kind: 'pass',
    accepted,
    minor,
    unusedEntries: allowlist.map((entry) => entry.id).filter((id) => !used.has(id)),
  };
}

export function describeAdvisory(advisory: AuditAdvisory): string {
  const id = advisory.github_advisory_id ?? String(advisory.id);
  const paths = advisory.findings?.flatMap((finding) => finding.paths).slice(0, 3) ?? [];
  return `${advisory.severity} ${id} ${advisory.module_name} ${advisory.vulnerable_versions ?? ''}: ${advisory.title}${
    advisory.patched_versions ? ` (fixed in ${advisory.patched_versions})` : ''
  }${paths.length > 0 ? ` via ${paths.join(', ')}` : ''}${advisory.url ? ` ${advisory.url}` : ''}`;
}
