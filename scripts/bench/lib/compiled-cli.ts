// The benchmarks measure soclite as it runs once installed: compiled by tsc (what `npm install` builds into
// dist/ and bin/soclite.js runs), not through tsx. tsx's esbuild output wraps functions made on the hot path
// in a name-keeping helper and its loader stays in the process: the collector spent 5-15 % more CPU per
// heartbeat under tsx (bench:ingest, 2026-12-07). Compiled from the current sources into a folder git ignores
// (.soclite-bench-build/), so a stale dist/ is never measured and dist/ is left alone.
// BENCH_TSX=1 runs the sources through tsx instead (to profile with source positions, or to compare).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const OUT_DIR = path.join(ROOT, '.soclite-bench-build');
let compiled = false;
let throughTsx = Boolean(process.env.BENCH_TSX);

/** From now on every module this helper runs, in this benchmark, runs from source through tsx (a --tsx flag). */
export function runSourcesThroughTsx(): void {
  throughTsx = true;
}

/** Compiles the sources once per benchmark run; the output folder, or null when running through tsx. */
function compile(): string | null {
  if (throughTsx) return null;
  if (!compiled) {
    const t = performance.now();
    let failure = '';
    try {
      execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', OUT_DIR], { cwd: ROOT, stdio: 'pipe' });
    } catch (err) {
      // tsc emits even when work in progress elsewhere has a type error; what is run must exist.
      failure = String((err as { stdout?: Buffer }).stdout ?? err);
    }
    if (!existsSync(path.join(OUT_DIR, 'cli', 'main.js'))) throw new Error(`compiling soclite for the benchmark failed:\n${failure}`);
    console.log(`compiled soclite into ${path.relative(ROOT, OUT_DIR)}/ in ${((performance.now() - t) / 1000).toFixed(1)} s${failure ? ' (tsc reported type errors elsewhere)' : ''}`);
    compiled = true;
  }
  return OUT_DIR;
}

/** Node arguments that run one of the project's TypeScript modules, e.g. 'cli/main.ts': compiled, or under tsx. */
export function nodeArgsFor(sourcePath: string): string[] {
  const out = compile();
  if (!out) return ['--import', 'tsx', path.join(ROOT, sourcePath)];
  return [compiledPath(out, sourcePath)];
}

/** Node arguments that preload one of the project's modules (node --import) before the module run. */
export function preloadArgsFor(sourcePath: string): string[] {
  const out = compile();
  if (!out) return ['--import', 'tsx', '--import', path.join(ROOT, sourcePath)];
  return ['--import', compiledPath(out, sourcePath)];
}

/** Where tsc put a source module's output, e.g. 'cli/main.ts' -> <out>/cli/main.js. */
function compiledPath(out: string, sourcePath: string): string {
  return path.join(out, sourcePath.replace(/\.ts$/, '.js'));
}
