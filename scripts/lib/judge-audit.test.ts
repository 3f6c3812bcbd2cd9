import { describe, expect, it } from 'vitest';
import { type AuditAdvisory, judgeAudit, readAllowlist } from './judge-audit.js';

const advisory = (
  id: number,
  severity: AuditAdvisory['severity'],
  ghsa = `GHSA-aaaa-bbbb-${id}`,
): AuditAdvisory => ({
  id,
  github_advisory_id: ghsa,
  module_name: `pkg-${id}`,
  severity,
  title: `issue ${id}`,
  vulnerable_versions: '<1.2.3',
  patched_versions: '>=1.2.3',
  findings: [{ version: '1.2.0', paths: [`apps__api>pkg-${id}`] }],
});
/** A report shaped as `pnpm audit --json` prints it. */
const report = (...advisories: AuditAdvisory[]) => ({
  stdout: JSON.stringify({
    actions: [],
    advisories: Object.fromEntries(advisories.map((entry) => [String(entry.id), entry])),
    muted: [],
    metadata: {
      vulnerabilities: {},
      dependencies: 10,
      devDependencies: 0,
      optionalDependencies: 0,
      totalDependencies: 10,
    },
  }),
  stderr: '',
});
const today = '2026-12-01';

describe('judgeAudit', () => {
  it('passes a clean report, and one with only moderate or low advisories', () => {
    expect(judgeAudit(report(), [], today).kind).toBe('pass');
    const minor = judgeAudit(report(advisory(1, 'moderate'), advisory(2, 'low')), [], today);
    expect(minor).toMatchObject({ kind: 'pass', minor: [{ id: 1 }, { id: 2 }] });
  });

  it('fails on a high or critical advisory', () => {
    const verdict = judgeAudit(
      report(advisory(3, 'high'), advisory(4, 'critical'), advisory(5, 'low')),
      [],
      today,
    );
    expect(verdict).toMatchObject({ kind: 'fail', blocking: [{ id: 3 }, { id: 4 }] });
  });

  it('accepts an allowlisted advisory by GHSA or numeric id, until its expiry date', () => {
    const entries = [
      { id: 'GHSA-aaaa-bbbb-6', reason: 'only reachable through the CLI, never with user input' },
      { id: '7', reason: 'no fix released; the affected option is not used', expires: '2026-12-31' },
    ];
    expect(judgeAudit(report(advisory(6, 'high'), advisory(7, 'critical')), entries, today)).toMatchObject({
      kind: 'pass',
      accepted: [{ id: 6 }, { id: 7 }],
    });
    const expired = judgeAudit(report(advisory(7, 'critical')), entries, '2027-01-01');
    expect(expired).toMatchObject({
      kind: 'fail',
      blocking: [{ id: 7 }],
      problems: [expect.stringMatching(/passed/)],
    });
    expect(judgeAudit(report(), entries, today)).toMatchObject({ unusedEntries: ['GHSA-aaaa-bbbb-6', '7'] });
  });

  it('calls an unreachable audit endpoint unreachable (warn and pass), and nothing else', () => {
    const mirror = {
      stdout: JSON.stringify({
        error: {
          code: 'ERR_PNPM_AUDIT_BAD_RESPONSE',
          message:
            'The audit endpoint (at https://registry.npmjs.org/-/npm/v1/security/audits/quick) responded with 405: .',
        },
      }),
      stderr: '',
    };
    expect(judgeAudit(mirror, [], today).kind).toBe('unreachable');
    expect(
      judgeAudit(
        {
          stdout: '',
          stderr: 'request to https://registry failed, reason: getaddrinfo ENOTFOUND registry.npmjs.org',
        },
        [],
        today,
      ).kind,
    ).toBe('unreachable');
    expect(
      judgeAudit({ stdout: '', stderr: '', spawnError: 'ETIMEDOUT spawnSync pnpm ETIMEDOUT' }, [], today)
        .kind,
    ).toBe('unreachable');
    // Anything else is not a reason to pass.
    expect(judgeAudit({ stdout: '', stderr: 'ERR_PNPM_NO_LOCKFILE' }, [], today).kind).toBe('broken');
    expect(
      judgeAudit({ stdout: '{"error":{"code":"ERR_PNPM_LOCKFILE_BROKEN"}}', stderr: '' }, [], today).kind,
    ).toBe('broken');
    expect(judgeAudit({ stdout: '{"advisories":null}', stderr: '' }, [], today).kind).toBe('broken');
    expect(
      judgeAudit({ stdout: '', stderr: '', spawnError: 'ENOENT spawnSync pnpm ENOENT' }, [], today).kind,
    ).toBe('broken');
  });
});

describe('readAllowlist', () => {
  it('requires an id and a reason for every entry, and a date for expires', () => {
    expect(readAllowlist({ advisories: [] })).toEqual({ entries: [], problems: [] });
    expect(readAllowlist({}).problems).toHaveLength(1);
    const { entries, problems } = readAllowlist({
      advisories: [
        { id: 'GHSA-1', reason: 'a reason that says why' },
        { id: 'GHSA-2' },
        { id: 'GHSA-3', reason: 'a reason that says why', expires: 'soon' },
        { reason: 'no id here at all' },
      ],
    });
    expect(entries.map((entry) => entry.id)).toEqual(['GHSA-1']);
    expect(problems).toHaveLength(3);
  });
});
