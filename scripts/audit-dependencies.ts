/**
 * CI's dependency audit: `pnpm audit --prod`, failing on high or critical advisories unless
 * `audit-allowlist.json` accepts them with a reason (and, optionally, until a date). When the
 * registry's audit endpoint cannot be reached (a mirror without the advisories API answers 405, a
 * network without the registry), it prints a warning and passes: that, and only that, is not a finding.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describeAdvisory, judgeAudit, readAllowlist } from './lib/judge-audit.js';

const root = new URL('..', import.meta.url).pathname;
const allowlist = readAllowlist(JSON.parse(readFileSync(`${root}audit-allowlist.json`, 'utf8')));
if (allowlist.problems.length > 0) {
  for (const problem of allowlist.problems) console.error(`audit: ${problem}`);
  process.exit(1);
}

const result = spawnSync('pnpm', ['audit', '--prod', '--json'], {
  cwd: root,
  encoding: 'utf8',
  timeout: 120_000,
  maxBuffer: 64 * 1024 * 1024,
});
const verdict = judgeAudit(
  {
    stdout: result.stdout ?? '',
    stderr: result.stderr ?? '',
    ...(result.error
      ? { spawnError: `${(result.error as NodeJS.ErrnoException).code ?? ''} ${result.error.message}` }
      : {}),
  },
  allowlist.entries,
  new Date().toISOString().slice(0, 10),
);

switch (verdict.kind) {
  case 'unreachable':
    console.warn(
      `audit: WARNING: the registry's audit endpoint could not be reached, so no advisories were checked: ${verdict.message}`,
    );
    console.warn('audit: passing without a result; run `pnpm run check:audit` where the registry answers.');
    break;
  case 'broken':
    console.error(`audit: ${verdict.message}`);
    process.exit(1);
    break;
  case 'fail':
    for (const advisory of verdict.blocking) console.error(`audit: BLOCKING ${describeAdvisory(advisory)}`);
    for (const problem of verdict.problems) console.error(`audit: ${problem}`);
    for (const advisory of verdict.accepted) console.log(`audit: accepted ${describeAdvisory(advisory)}`);
    console.error(
      `audit: ${verdict.blocking.length} high or critical advisories: upgrade, or record each in audit-allowlist.json with a reason`,
    );
    process.exit(1);
    break;
  case 'pass':
    for (const advisory of verdict.accepted) console.log(`audit: accepted ${describeAdvisory(advisory)}`);
    for (const advisory of verdict.minor) console.log(`audit: (not blocking) ${describeAdvisory(advisory)}`);
    for (const id of verdict.unusedEntries)
      console.warn(`audit: ${id} is accepted but no longer reported: remove it`);
    console.log('audit: no high or critical advisory in production dependencies');
    break;
}
