// Policy evaluation rate: postures per second on one core for each shipped pack and security level.
// Usage: npx tsx scripts/bench/policy.ts [--quick]
// The postures are the test fixtures varied per iteration (signature ages, patch dates, listening sockets), so
// the evaluator cannot profit from one object's shape staying hot. Prints figures; asserts nothing.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluatePosture, loadPolicySet, type Attestation } from '../../collector/policy/index.js';
import type { Posture } from '../../protocol/posture.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixtures = path.join(root, 'tests/fixtures/postures');
const quick = process.argv.includes('--quick');
const seconds = quick ? 0.5 : 3;

const read = <T>(f: string): T => JSON.parse(readFileSync(path.join(fixtures, f), 'utf8')) as T;
const bases = ['windows-workstation-compliant.json', 'windows-workstation-weak.json', 'linux-server-compliant.json', 'linux-server-weak.json', 'windows-workstation-partial.json'].map((f) =>
  read<Posture>(f),
);
const attestations = read<Attestation[]>('attestations-valid.json');

// A pool of distinct posture objects, as the collector would see from many agents.
const pool: Posture[] = [];
for (let i = 0; i < 1000; i++) {
  const p = structuredClone(bases[i % bases.length] as Posture);
  p.agent.id = `agt_bench${String(i).padStart(12, '0')}`;
  for (const prod of p.av?.products ?? []) if (prod.signatureAgeHours !== undefined) prod.signatureAgeHours = (i * 7) % 200;
  if (p.patches) p.patches.lastInstallAt = new Date(Date.UTC(2026, 0, 1 + (i % 60))).toISOString();
  if (p.network) for (let k = 0; k < i % 20; k++) p.network.listening.push({ proto: 'tcp', address: '0.0.0.0', port: 40000 + k, process: `svc${k}`, exposed: k % 2 === 0 });
  pool.push(p);
}

const set = loadPolicySet(path.join(root, 'policies'));
const now = new Date('2026-03-01T00:00:00Z');

// Wall-clock rate, and the rate per CPU-second of this process: on a shared machine the second is the figure
// that says what one core does.
function measure(packs: string[], level: number): { rate: number; cpuRate: number; findings: number } {
  const ctx = { level, packs, now, attestations };
  for (let i = 0; i < 2000; i++) evaluatePosture(set, pool[i % pool.length], ctx); // warm-up
  let n = 0;
  let findings = 0;
  const cpu0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  const budget = BigInt(Math.round(seconds * 1e9));
  while (process.hrtime.bigint() - start < budget) {
    for (let i = 0; i < 500; i++) findings += evaluatePosture(set, pool[(n + i) % pool.length], ctx).length;
    n += 500;
  }
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return { rate: n / elapsed, cpuRate: n / cpuSeconds, findings: findings / n };
}

console.log(`policy evaluation, one core, ${pool.length} distinct postures, ${seconds}s per row${quick ? ' (quick)' : ''}`);
console.log('pack              level  controls/posture   postures/s (wall)   postures/s (per CPU-second)');
const rows: [string[], string][] = [
  [['vn-nd85-tt12'], 'vn-nd85-tt12'],
  [['cis-v8'], 'cis-v8'],
  [['vn-nd85-tt12', 'cis-v8'], 'both'],
];
let min = Infinity;
for (const [packs, label] of rows) {
  for (const level of [1, 2, 3, 4, 5]) {
    const r = measure(packs, level);
    min = Math.min(min, r.cpuRate);
    const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
    console.log(`${label.padEnd(17)} ${String(level).padStart(5)}  ${r.findings.toFixed(0).padStart(16)}   ${fmt(r.rate).padStart(17)}   ${fmt(r.cpuRate).padStart(27)}`);
  }
}
console.log(`slowest row: ${Math.round(min).toLocaleString('en-US')} postures per CPU-second (target >= 20,000 on one core)`);
