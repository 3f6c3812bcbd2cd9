#!/usr/bin/env node
/**
 * Bundles one app into `dist/main.js` of the package it is run from:
 *
 *   cd apps/api && node ../../scripts/build-app.mjs [entry]     (entry defaults to src/main.ts)
 *
 * Workspace packages (`@threadline/*`, TypeScript source) are bundled in. Every other package stays
 * external and is loaded from node_modules at run time, so it must be a `dependencies` entry of this
 * package or of a workspace package it depends on: an import of anything else fails the build here,
 * not in production. A `createRequire` banner lets CommonJS code inside the bundle call `require`.
 *
 * A source file that names another TypeScript file to run on its own (a worker thread's file, as
 * `new URL('./read-capture-worker.ts', import.meta.url)`) gets that file bundled too, as
 * `dist/read-capture-worker.js`, and the URL rewritten to point at it: in the image there is no
 * TypeScript source to load.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const rootDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const packageDir = process.cwd();
const entry = path.resolve(packageDir, process.argv[2] ?? 'src/main.ts');
const outDir = path.join(packageDir, 'dist');
const outFile = path.join(outDir, 'main.js');

function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

function fail(message) {
  console.error(`build-app: ${message}`);
  process.exit(1);
}

/** name → folder of every workspace package: the `packages:` list of pnpm-workspace.yaml (`dir` or `dir/*`). */
function workspacePackages() {
  const lines = readFileSync(path.join(rootDir, 'pnpm-workspace.yaml'), 'utf8').split('\n');
  const entries = [];
  let isInPackages = false;
  for (const line of lines) {
    if (/^\S/.test(line)) isInPackages = /^packages:/.test(line);
    const item = isInPackages ? /^\s*-\s*['"]?([^'"\s#]+)/.exec(line) : null;
    if (item) entries.push(item[1]);
  }
  const packages = new Map();
  const add = (dir) => {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest)) packages.set(readJson(manifest).name, dir);
  };
  for (const entry of entries) {
    if (entry.startsWith('!')) continue;
    if (!entry.endsWith('/*')) {
      add(path.join(rootDir, entry));
      continue;
    }
    const parent = path.join(rootDir, entry.slice(0, -2));
    if (!existsSync(parent)) continue;
    for (const child of readdirSync(parent, { withFileTypes: true })) {
      if (child.isDirectory()) add(path.join(parent, child.name));
    }
  }
  return packages;
}

/** The workspace packages this package reaches through `dependencies`, and the npm packages they declare. */
function collectDependencies(startDir, workspace) {
  const bundled = new Set();
  const external = new Map(); // npm name → the workspace package that declares it
  const visit = (dir) => {
    const manifest = readJson(path.join(dir, 'package.json'));
    for (const [name, version] of Object.entries(manifest.dependencies ?? {})) {
      if (String(version).startsWith('workspace:') || workspace.has(name)) {
        if (!workspace.has(name))
          fail(`${manifest.name} depends on ${name}, which is not a workspace package`);
        if (!bundled.has(name)) {
          bundled.add(name);
          visit(workspace.get(name));
        }
      } else if (!external.has(name)) {
        external.set(name, manifest.name);
      }
    }
  };
  visit(startDir);
  return { bundled, external };
}

/** `@scope/name/sub/path` → `@scope/name`; `name/sub` → `name`. */
function packageNameOf(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

const builtins = new Set(builtinModules);

const manifest = readJson(path.join(packageDir, 'package.json'));
if (!existsSync(entry)) fail(`${manifest.name}: entry ${path.relative(packageDir, entry)} does not exist`);

const workspace = workspacePackages();
const { bundled, external } = collectDependencies(packageDir, workspace);

/** Bundle workspace packages, keep declared npm packages external, refuse undeclared ones. */
const dependencyPolicy = {
  name: 'threadline-dependency-policy',
  setup(esbuild) {
    esbuild.onResolve({ filter: /^[^./]/ }, (args) => {
      if (path.isAbsolute(args.path)) return undefined;
      if (args.path.startsWith('node:') || builtins.has(args.path) || builtins.has(args.path.split('/')[0])) {
        return { path: args.path, external: true };
      }
      const name = packageNameOf(args.path);
      if (bundled.has(name)) return undefined; // esbuild resolves it to the package's TypeScript source
      if (external.has(name)) return { path: args.path, external: true };
      const importer = path.relative(rootDir, args.importer);
      return {
        errors: [
          {
            text: `${importer} imports "${args.path}", which is not in the dependencies of ${manifest.name} or of the workspace packages it depends on (${[...bundled].join(', ') || 'none'})`,
          },
        ],
      };
    });
  },
};

/**
 * Makes a source hashbang (`#!/usr/bin/env tsx`) say node, and keeps `import.meta.url` in bundled source files meaning the source file, not dist/main.js, so code
 * that reads a file next to its source (the sandbox's vendored OpenAPI document) still finds it. The
 * URL is computed relative to the bundle at run time: the tree around dist/ must keep its shape.
 */
/** Files named by `new URL('./x.ts', import.meta.url)`: output name (`x.js`) → source path. */
const workerEntries = new Map();
const workerUrl = /new URL\((['"])\.\/([\w.-]+)\.ts\1,\s*import\.meta\.url\)/g;
const bundleUrl = '__threadline_bundle_url__';

const sourceFileFixes = {
  name: 'threadline-source-file-fixes',
  setup(esbuild) {
    esbuild.onLoad({ filter: /\.[cm]?tsx?$/ }, (args) => {
      if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      let source = readFileSync(args.path, 'utf8');
      const hasHashbang = source.startsWith('#!');
      if (!hasHashbang && !source.includes('import.meta.url')) return undefined;
      // The bundle is plain JavaScript: run it with node, whatever the source's hashbang says (tsx).
      if (hasHashbang) source = source.replace(/^#![^\n]*/, '#!/usr/bin/env node');
      source = source.replace(workerUrl, (_match, _quote, name) => {
        const file = path.join(path.dirname(args.path), `${name}.ts`);
        const known = workerEntries.get(`${name}.js`);
        if (known && known !== file) fail(`two worker files bundle to dist/${name}.js: ${known}, ${file}`);
        workerEntries.set(`${name}.js`, file);
        return `new URL(${JSON.stringify(`./${name}.js`)}, ${bundleUrl})`;
      });
      const relative = path.relative(outDir, args.path).split(path.sep).join('/');
      return {
        contents: source
          .replaceAll('import.meta.url', `new URL(${JSON.stringify(relative)}, import.meta.url).href`)
          .replaceAll(bundleUrl, 'import.meta.url'),
        loader: args.path.endsWith('x') ? 'tsx' : 'ts',
        resolveDir: path.dirname(args.path),
      };
    });
  },
};

rmSync(outDir, { recursive: true, force: true });
const bundle = (entryFile, output) =>
  build({
    entryPoints: [entryFile],
    outfile: output,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    sourcemap: true,
    legalComments: 'none',
    logLevel: 'warning',
    metafile: true,
    banner: {
      js: "import { createRequire as __threadlineCreateRequire } from 'node:module';\nconst require = __threadlineCreateRequire(import.meta.url);",
    },
    plugins: [dependencyPolicy, sourceFileFixes],
  }).catch(() => process.exit(1)); // esbuild has already printed the errors

const result = await bundle(entry, outFile);
const outputs = { ...result.metafile.outputs };
// A worker file may name another one: bundle until no new one turns up.
for (const done = new Set(); done.size < workerEntries.size; ) {
  for (const [name, file] of [...workerEntries]) {
    if (done.has(name)) continue;
    done.add(name);
    Object.assign(outputs, (await bundle(file, path.join(outDir, name))).metafile.outputs);
  }
}

const bytes = result.metafile.outputs[path.relative(process.cwd(), outFile)]?.bytes ?? 0;
const imported = new Set(
  Object.values(outputs)
    .flatMap((output) => output.imports)
    .filter((item) => item.external && !item.path.startsWith('node:') && !builtins.has(item.path))
    .map((item) => packageNameOf(item.path)),
);
const workers = [...workerEntries.keys()].map((name) => `; worker dist/${name}`).join('');
console.log(
  `${manifest.name}: ${path.relative(rootDir, outFile)} (${Math.round(bytes / 1024)} kB)${workers}; bundled ${[...bundled].join(', ') || 'no workspace packages'}; external ${[...imported].sort().join(', ') || 'none'}`,
);
