// Benchmark: `soclite evidence export` of 10,000 machines x the level's controls from a real SQLite store, against
// the targets <= 30 s and <= 300 MB peak RSS.
//   npx tsx scripts/bench/export.ts [--quick] [--machines N] [--level L] [--keep] [--data-dir D] [--tsx]
// --quick: 2,000 machines (well under a minute). --data-dir: reuse a store filled by an earlier --keep run.
// --tsx: measure the CLI run from source through the TypeScript loader instead of compiled.
//
// Two process steps, so the figures are the exporter's alone:
// 1. fill (a child process of this script): a fresh data dir with units, an information system, N agents with
//    postures, and their findings + ledger rows written through the store's repositories. Each machine is
//    evaluated with the real policy set on a fixture posture; about one in eight later breaks a control (a
//    second evaluation, a ledger transition), as in a real fleet.
// 2. measure: the real CLI as a child process, compiled as `soclite` runs it (tsc into .soclite-bench-build/,
//    which git ignores; --tsx runs cli/main.ts through the loader instead), twice: the state now (current
//    findings) and "as of" an instant between the two evaluations (the ledger). Wall time is the whole process,
//    start-up included; CPU time is the process's user+system time (zlib's threads included), which a busy host
//    does not inflate; peak RSS is the child's VmHWM from /proc/<pid>/status, written by the child itself at
//    exit and also polled from outside. The bundle is then verified.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { nodeArgsFor, runSourcesThroughTsx } from './lib/compiled-cli.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    machines: { type: 'string' },
    level: { type: 'string' },
    keep: { type: 'boolean' },
    'data-dir': { type: 'string' },
    fill: { type: 'string' },
    tsx: { type: 'boolean' },
  },
});
const MACHINES = Number(values.machines ?? (values.quick ? 2_000 : 10_000));
const LEVEL = Number(values.level ?? 3);
// Evaluation instants of the synthetic fleet: the first evaluation on day 0, breaks from day 30 on.
const T0 = Date.parse('2026-01-05T08:00:00Z');
const AS_OF = new Date(T0 + 20 * 86_400_000).toISOString();

if (values.fill) {
  await fill(values.fill);
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------------------------
// Step 1: fill a store (runs in its own process; see the bottom of the measure step).

async function fill(dataDir: string): Promise<void> {
  const { openStore } = await import('../../collector/store/index.js');
  const { defaultPolicyDir, evaluatePosture, loadPolicySet } = await import('../../collector/policy/index.js');
  const { postureHash } = await import('../../protocol/index.js');
  type Posture = import('../../protocol/index.js').Posture;

  const store = openStore(dataDir);
  const policy = loadPolicySet(defaultPolicyDir());
  const fixture = (name: string) => JSON.parse(readFileSync(path.join(repoRoot, 'tests/fixtures/postures', name), 'utf8')) as Posture;
  const bases = ['windows-workstation-compliant.json', 'windows-workstation-partial.json', 'linux-server-compliant.json', 'windows-workstation-weak.json'].map(fixture);
  const units = ['so-tttt', 'trung-tam-cntt', 'so-tai-chinh', 'so-y-te'];
  store.transaction(() => {
    for (const u of units) store.units.create({ id: u, name: `Đơn vị ${u}`, parentId: 'default', defaultLevel: 1 });
    store.compliance.createSystem({ id: 'egov', unitId: 'default', name: 'Cổng dịch vụ công', level: LEVEL, approvalRef: 'QĐ 123/QĐ-UBND', approvalDate: '2025-03-01' });
  });

  // Findings of each base posture (and of its broken variant) are computed once: evaluation is not what this
  // benchmark measures, and machines built from one image do report the same facts.
  const evaluate = (p: Posture | undefined, at: Date) => evaluatePosture(policy, p, { level: LEVEL, now: at, attestations: [] });
  const first = bases.map((p) => evaluate(p, new Date(T0)));
  const broken = bases.map((p) => evaluate({ ...p, network: p.network ? { ...p.network, firewall: { ...p.network.firewall!, enabled: false } } : p.network }, new Date(T0)));

  let seed = 42;
  const rand = (): number => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
  const started = performance.now();
  const BATCH = 250;
  for (let from = 0; from < MACHINES; from += BATCH) {
    store.transaction(() => {
      for (let m = from; m < Math.min(MACHINES, from + BATCH); m++) {
        const id = `agt_bench${String(m).padStart(7, '0')}`;
        const unit = units[m % units.length]!;
        const b = m % bases.length;
        const hostname = `pc-${unit}-${m}`;
        const at = new Date(T0 + Math.floor(rand() * 86_400_000));
        store.agents.insert({
          id, unitId: unit, publicKey: createHash('sha256').update(id).digest('base64'), hostname, hardwareId: `hw-${m}`,
          platform: bases[b]!.host.os.platform, agentVersion: 'bench', enrolledAt: at.toISOString(), tokenId: null as unknown as string,
        });
        const posture = { ...bases[b]!, host: { ...bases[b]!.host, hostname }, agent: { ...bases[b]!.agent, id, seq: 1 } };
        const json = JSON.stringify(posture);
        store.agents.savePosture(id, 1, postureHash(posture), json, at.toISOString(), false);
        store.compliance.setAgentSystems(id, ['egov']);
        store.compliance.applyEvaluation(id, LEVEL, first[b]!, at.toISOString());
        if (rand() < 0.12) {
          const later = new Date(T0 + (30 + Math.floor(rand() * 120)) * 86_400_000 + Math.floor(rand() * 86_400_000));
          store.compliance.applyEvaluation(id, LEVEL, broken[b]!, later.toISOString());
        }
      }
    });
  }
  const n = (sql: string) => (store.db.prepare(sql).get() as { n: number }).n;
  console.log(
    `filled ${MACHINES} agents in ${((performance.now() - started) / 1000).toFixed(1)} s: ` +
      `${n('SELECT COUNT(*) AS n FROM findings')} findings, ${n('SELECT COUNT(*) AS n FROM findings_ledger')} ledger rows`,
  );
  store.db.pragma('wal_checkpoint(TRUNCATE)');
  store.close();
}

// ---------------------------------------------------------------------------------------------------------------
// Step 2: measure the real CLI.

interface Measured {
  seconds: number;
  cpuSeconds: number;
  peakRssBytes: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

// Loaded into the measured process before anything else: at exit it writes its own peak RSS (VmHWM) and CPU
// time to fd 3.
const PEAK_HOOK =
  'data:text/javascript,' +
  encodeURIComponent(
    'import fs from "node:fs";process.on("exit",()=>{try{const m=/VmHWM:\\s*(\\d+) kB/.exec(fs.readFileSync("/proc/self/status","utf8"));' +
      'const c=process.cpuUsage();fs.writeSync(3,"peak-rss-kb "+(m?m[1]:"0")+" cpu-us "+(c.user+c.system)+"\\n")}catch{}});',
  );

function runMeasured(args: string[]): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['--import', PEAK_HOOK, ...cliCommand, ...args], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let hook = '';
    let polled = 0;
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    (child.stdio[3] as NodeJS.ReadableStream).on('data', (d: Buffer) => (hook += d.toString()));
    // Belt and braces: also read VmHWM from outside while it runs (it only grows).
    const poll = setInterval(() => {
      try {
        const m = /VmHWM:\s*(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) polled = Math.max(polled, Number(m[1]) * 1024);
      } catch {
        /* exited */
      }
    }, 25);
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(poll);
      const own = /peak-rss-kb (\d+) cpu-us (\d+)/.exec(hook);
      resolve({
        seconds: (performance.now() - t0) / 1000,
        cpuSeconds: own ? Number(own[2]) / 1e6 : NaN,
        peakRssBytes: Math.max(polled, own ? Number(own[1]) * 1024 : 0),
        code,
        stdout,
        stderr,
      });
    });
  });
}

const mb = (bytes: number): string => (bytes / 1048576).toFixed(0);

async function measure(name: string, dataDir: string, dir: string, extra: string[]): Promise<boolean> {
  const { verifyBundle } = await import('../../collector/evidence/verify.js');
  const out = path.join(dir, `${name}.zip`);
  const r = await runMeasured(['evidence', 'export', '--level', String(LEVEL), '--data-dir', dataDir, '--out', out, ...extra]);
  if (r.code !== 0) {
    console.log(`${name}: export FAILED (exit ${r.code})\n${r.stderr}`);
    return false;
  }
  const size = (await stat(out)).size;
  const t1 = performance.now();
  const report = await verifyBundle(out);
  const verifySeconds = (performance.now() - t1) / 1000;
  const machines = /machines: (\d+)/.exec(r.stdout)?.[1];
  const okTime = r.seconds <= 30;
  const okRss = r.peakRssBytes <= 300 * 1048576;
  console.log(`${name} (${extra.join(' ') || 'now'}): ${machines} machines`);
  console.log(`  wall time of the CLI process: ${r.seconds.toFixed(1)} s (target <= 30 s) ${okTime ? 'OK' : 'OVER'}; CPU time ${r.cpuSeconds.toFixed(1)} s`);
  console.log(`  peak RSS (VmHWM) of the CLI process: ${mb(r.peakRssBytes)} MB (target <= 300 MB) ${okRss ? 'OK' : 'OVER'}`);
  console.log(`  bundle ${mb(size)} MB zipped; verified in ${verifySeconds.toFixed(1)} s: ${report.ok ? 'OK' : `FAILED ${JSON.stringify(report.problems)}`}`);
  console.log(`  ${r.stdout.split('\n').find((l) => l.startsWith('controls:')) ?? ''}`);
  return report.ok && okTime && okRss;
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'soclite-bench-export-'));
let dataDir = values['data-dir'] ? path.resolve(values['data-dir']) : path.join(dir, 'data');
if (!values['data-dir'] || !existsSync(path.join(dataDir, 'soclite.db'))) {
  dataDir = values['data-dir'] ? dataDir : path.join(dir, 'data');
  const t = performance.now();
  const fillRun = await new Promise<number | null>((resolve) => {
    const c = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--fill', dataDir, '--machines', String(MACHINES), '--level', String(LEVEL)], {
      cwd: repoRoot,
      stdio: 'inherit',
    });
    c.on('close', resolve);
  });
  if (fillRun !== 0) throw new Error(`filling the store failed (exit ${fillRun})`);
  console.log(`fill step: ${((performance.now() - t) / 1000).toFixed(1)} s (not part of the measurement)`);
}
// The CLI to measure: compiled (as installed) or the source through tsx (runMeasured runs it).
if (values.tsx) runSourcesThroughTsx();
const cliCommand = nodeArgsFor('cli/main.ts');
console.log(`measuring: node ${cliCommand.map((a) => path.relative(repoRoot, a) || a).join(' ')} evidence export ...`);
console.log(`host: ${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
const baseline = await runMeasured(['evidence', '--help']);
console.log(`baseline: the CLI process printing its usage: ${baseline.seconds.toFixed(1)} s, ${mb(baseline.peakRssBytes)} MB peak RSS`);
const okNow = await measure('now', dataDir, dir, []);
const okAsOf = await measure('as-of', dataDir, dir, ['--as-of', AS_OF]);
if (values.keep) console.log(`kept: ${dir} (reuse the store with --data-dir ${dataDir})`);
else await rm(dir, { recursive: true, force: true });
if (!okNow || !okAsOf) process.exitCode = 1;
