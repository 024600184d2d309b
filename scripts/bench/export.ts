// Benchmark: export an evidence bundle for 10,000 machines x 40 controls from the in-memory ledger source,
// then verify it. Prints seconds and peak RSS against the targets (<= 30 s, <= 300 MB).
//   npx tsx scripts/bench/export.ts [--quick] [--machines N] [--keep]
// --quick: 2,000 machines (well under a minute). Peak RSS is the whole process: it includes the synthetic
// ledger (~400,000 evaluations) held by the memory source, so the exporter's own share is smaller.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { exportBundle } from '../../collector/evidence/export.js';
import { MemoryEvidenceSource, type LedgerEntry, type MemoryControl } from '../../collector/evidence/memory-source.js';
import type { EvidenceMachine } from '../../collector/evidence/source.js';
import { verifyBundle } from '../../collector/evidence/verify.js';

const { values } = parseArgs({
  options: { quick: { type: 'boolean' }, machines: { type: 'string' }, keep: { type: 'boolean' } },
});
const MACHINES = Number(values.machines ?? (values.quick ? 2_000 : 10_000));
const CONTROLS = 40;
const T0 = Date.parse('2025-01-01T00:00:00Z');
const NOW = new Date('2025-06-30T23:59:59Z');

// Times and observed values are drawn from small pools and shared, as a store's rows would be decoded on
// demand: the benchmark measures the exporter, not the memory cost of 440,000 distinct Date objects.
const pooled = <T>(make: (k: number) => T) => {
  const pool = new Map<number, T>();
  return (k: number): T => pool.get(k) ?? (pool.set(k, make(k)), pool.get(k)!);
};
const minuteAt = pooled((k) => new Date(T0 + k * 60_000));
const failObserved = pooled((k) => `enabled=false; pending=${k}`);

// A deterministic pseudo-random sequence, so runs are comparable.
let seed = 42;
const rand = (): number => {
  seed = (seed * 1664525 + 1013904223) >>> 0;
  return seed / 2 ** 32;
};

function buildSource(): MemoryEvidenceSource {
  const controls: MemoryControl[] = Array.from({ length: CONTROLS }, (_, i) => ({
    id: `vn.l3.c${String(i + 1).padStart(2, '0')}`,
    title: { vi: `Yêu cầu kiểm tra số ${i + 1} về an toàn thông tin`, en: `Security check number ${i + 1}` },
    remediation: { vi: `Khắc phục theo hướng dẫn số ${i + 1}`, en: `Remediate per guide ${i + 1}` },
    severity: i % 3 === 0 ? 'high' : 'medium',
    references: [`TT12/2022 Phụ lục II, 1.${i + 1}`],
    assessedBy: 'machine',
    levels: [3],
  }));
  const units = ['van-phong', 'trung-tam', 'so-tai-chinh', 'so-y-te'];
  const machines: EvidenceMachine[] = [];
  const ledger: LedgerEntry[] = [];
  for (let m = 0; m < MACHINES; m++) {
    const id = `agent-${String(m).padStart(6, '0')}`;
    machines.push({
      id,
      hostname: `pc-${units[m % 4]}-${m}`,
      os: m % 5 === 0 ? 'Debian GNU/Linux 12' : 'Windows 11 Pro 23H2',
      unitId: units[m % 4]!,
      systemIds: [`he-thong-${m % 7}`],
      lastSeenAt: new Date(NOW.getTime() - Math.floor(rand() * 3_600_000)),
    });
    for (const c of controls) {
      const r = rand();
      const first = minuteAt(Math.floor(rand() * 1440));
      if (r < 0.03) continue; // no result at all: exported as unknown
      const status = r < 0.06 ? 'unknown' : r < 0.08 ? 'not_applicable' : 'pass';
      ledger.push({ agentId: id, controlId: c.id, at: first, status, observed: status === 'pass' ? 'enabled=true' : null, expected: 'enabled=true' });
      if (status === 'pass' && rand() < 0.12) {
        // Breaks some time in the period, with a machine-specific observed value.
        const at = minuteAt(1440 * (30 + Math.floor(rand() * 150)) + Math.floor(rand() * 1440));
        ledger.push({ agentId: id, controlId: c.id, at, status: 'fail', observed: failObserved(Math.floor(rand() * 20)), expected: 'enabled=true' });
      }
    }
  }
  return new MemoryEvidenceSource({
    metadata: {
      organisation: 'Sở Thông tin và Truyền thông (benchmark)',
      policyPack: 'vn-nd85-tt12',
      units: units.map((u) => ({ id: u, name: { vi: u, en: u } })),
      systems: Array.from({ length: 7 }, (_, i) => ({ id: `he-thong-${i}`, name: `Hệ thống ${i}`, unitId: units[i % 4]!, approvedLevel: 3 })),
    },
    controls,
    machines,
    ledger,
    attestations: [],
  });
}

const mb = (bytes: number): string => (bytes / 1048576).toFixed(0);
const peakRss = (): number => process.resourceUsage().maxRSS * 1024;

const rssAtStart = process.memoryUsage().rss;
const tBuild = performance.now();
const source = buildSource();
const buildSeconds = (performance.now() - tBuild) / 1000;
const rssAfterBuild = process.memoryUsage().rss;
const dir = await mkdtemp(path.join(os.tmpdir(), 'soclite-bench-export-'));
const outPath = path.join(dir, 'bundle.zip');
const { privateKey } = generateKeyPairSync('ed25519');

let peakHeap = 0;
let peakExternal = 0;
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  peakHeap = Math.max(peakHeap, m.heapUsed);
  peakExternal = Math.max(peakExternal, m.external + m.arrayBuffers);
}, 50);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const result = await exportBundle(
  source,
  { level: 3, from: new Date('2025-04-01T00:00:00Z'), to: NOW },
  { outPath, signingKey: privateKey, generatorVersion: 'bench' },
);
const exportSeconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const exportCpuSeconds = (cpu.user + cpu.system) / 1e6;
const peakAfterExport = peakRss();
clearInterval(sampler);
const size = (await stat(outPath)).size;
const t1 = performance.now();
const report = await verifyBundle(outPath);
const verifySeconds = (performance.now() - t1) / 1000;

const findingsBytes = result.files.find((f) => f.path === 'findings.csv')!.bytes;
const oscalBytes = result.files.find((f) => f.path === 'assessment-results.json')!.bytes;
console.log(`machines: ${result.machines} x controls: ${CONTROLS} (${result.machines * CONTROLS} machine-control results)`);
console.log(`RSS at start (node + tsx loader): ${mb(rssAtStart)} MB; synthetic ledger built in ${buildSeconds.toFixed(1)} s, RSS then: ${mb(rssAfterBuild)} MB`);
console.log(`export: ${exportSeconds.toFixed(1)} s (target <= 30 s) ${exportSeconds <= 30 ? 'OK' : 'OVER'}; CPU ${exportCpuSeconds.toFixed(1)} s on this thread + zlib pool`);
console.log(`peak RSS: ${mb(peakAfterExport)} MB (target <= 300 MB) ${peakAfterExport <= 300 * 1048576 ? 'OK' : 'OVER'}`);
console.log(`during export: peak V8 heap used ${mb(peakHeap)} MB (ledger included), peak buffers ${mb(peakExternal)} MB`);
console.log(`bundle: ${mb(size)} MB zipped; assessment-results.json ${mb(oscalBytes)} MB, findings.csv ${mb(findingsBytes)} MB`);
console.log(`verify: ${verifySeconds.toFixed(1)} s, ${report.ok ? 'OK' : `FAILED ${JSON.stringify(report.problems)}`}`);
console.log(`verdicts: ${JSON.stringify(result.verdicts)}`);
if (values.keep) console.log(`kept: ${outPath}`);
else await rm(dir, { recursive: true, force: true });
if (!report.ok) process.exitCode = 1;
