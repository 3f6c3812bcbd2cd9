/**
 * The dependency rule, checked in CI: apps → packages → core; core depends on no I/O library; the job
 * catalog (`jobs`) depends on nothing but zod, so a producer that needs a job name pulls in no Redis;
 * BullMQ is the queues adapter's (and the apps', which run its workers); no package depends on an app;
 * no import cycles between workspace packages or between files.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import madge from 'madge';

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const root = new URL('..', import.meta.url).pathname;
const problems: string[] = [];
const manifests = new Map<string, { dir: string; manifest: Manifest }>();
for (const group of ['apps', 'packages', '.']) {
  for (const name of group === '.' ? ['e2e'] : readdirSync(join(root, group))) {
    const dir = join(group, name);
    if (!existsSync(join(root, dir, 'package.json'))) continue;
    const manifest = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as Manifest;
    manifests.set(manifest.name, { dir, manifest });
  }
}

/** Packages that may depend only on these (runtime dependencies). */
const onlyAllowed: Record<string, { allowed: ReadonlySet<string>; why: string }> = {
  '@threadline/core': { allowed: new Set(['zod']), why: 'no I/O in the domain core' },
  '@threadline/jobs': { allowed: new Set(['zod']), why: 'the job catalog is names and schemas only' },
};
/** An outside library and the only packages (besides apps) that may depend on it. */
const ownedBy: Record<string, ReadonlySet<string>> = {
  bullmq: new Set(['@threadline/queues']),
};
for (const [name, { dir, manifest }] of manifests) {
  const runtime = Object.keys(manifest.dependencies ?? {});
  const rule = onlyAllowed[name];
  for (const dependency of rule ? runtime : []) {
    if (!rule?.allowed.has(dependency))
      problems.push(`${name} may not depend on ${dependency} (${rule?.why})`);
  }
  for (const dependency of dir.startsWith('packages/') ? runtime : []) {
    const owners = ownedBy[dependency];
    if (owners && !owners.has(name))
      problems.push(`${name} may not depend on ${dependency} (only ${[...owners].join(', ')} and the apps)`);
  }
  for (const dependency of [...runtime, ...Object.keys(manifest.devDependencies ?? {})]) {
    const target = manifests.get(dependency);
    if (target?.dir.startsWith('apps/')) problems.push(`${name} depends on the app ${dependency}`);
    if (dir.startsWith('packages/') && runtime.includes('@threadline/test-helpers')) {
      problems.push(`${name} has test-helpers as a runtime dependency`);
    }
  }
}

// Cycles between workspace packages.
const visit = (name: string, path: string[]) => {
  if (path.includes(name)) {
    problems.push(`package cycle: ${[...path.slice(path.indexOf(name)), name].join(' → ')}`);
    return;
  }
  const manifest = manifests.get(name)?.manifest;
  for (const dependency of Object.keys(manifest?.dependencies ?? {})) {
    if (manifests.has(dependency)) visit(dependency, [...path, name]);
  }
};
for (const name of manifests.keys()) visit(name, []);

// Cycles between files.
const graph = await madge(
  [...manifests.values()].map(({ dir }) => join(root, dir, 'src')),
  { fileExtensions: ['ts'], tsConfig: join(root, 'tsconfig.base.json'), excludeRegExp: [/\.test\.ts$/] },
);
for (const cycle of graph.circular()) problems.push(`import cycle: ${cycle.join(' → ')}`);

if (problems.length > 0) {
  console.error('Architecture check failed:');
  for (const problem of [...new Set(problems)]) console.error(`  ${problem}`);
  process.exit(1);
}
console.log(
  `Architecture check passed: ${manifests.size} workspace packages, no cycles, core free of I/O, jobs a catalog, BullMQ in queues.`,
);
