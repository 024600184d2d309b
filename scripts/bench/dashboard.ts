// Dashboard reads at fleet scale: seeds N agents with realistic postures (scripts/simulate/profile.ts) and their
// compliance findings straight into a fresh data dir through the store's repositories (big transactions,
// seconds per 10,000 agents instead of an hour of simulated enrollments), then starts the real collector on it
// and times GET /api/v1/overview, the first page of GET /api/v1/agents and GET /api/v1/compliance over real
// HTTP: 2 warm-up requests, then median and p95 of --requests requests each.
// Usage: npx tsx scripts/bench/dashboard.ts [--quick] [--agents N] [--requests R] [--dir D]
// The seeded data dir is kept in --dir (default: $TMPDIR/soclite-bench-dashboard-N), so a second run (e.g. the
// same database before and after a change) skips the seeding.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { postureHash } from '../../protocol/index.js';
import { openStore, type Store } from '../../collector/store/index.js';
import { retireAgent } from '../../collector/store/agent-retirement.js';
import { ComplianceService } from '../../collector/compliance/service.js';
import { defaultPolicyDir } from '../../collector/policy/index.js';
import type { LivenessState } from '../../collector/fleet/types.js';
import { buildPosture, machineProfile } from '../simulate/profile.js';
import { Rng } from '../simulate/rng.js';
import { coreSplit, machineDescription, procStat, startCollector, freePort } from './lib/processes.js';

const { values } = parseArgs({ options: { quick: { type: 'boolean' }, agents: { type: 'string' }, requests: { type: 'string' }, dir: { type: 'string' } } });
const quick = values.quick ?? false;
const AGENTS = Number(values.agents ?? (quick ? 10_000 : 100_000));
const REQUESTS = Number(values.requests ?? 20);
const WARMUP = 2;
const UNITS = 50;
const CHUNK = 5000;
const SEED = 'bench-dashboard';
const dir = values.dir ?? path.join(os.tmpdir(), `soclite-bench-dashboard-${AGENTS}`);
const dataDir = path.join(dir, 'data');
const seededMarker = path.join(dir, 'seeded');

const fmt = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '-');

/** Besides online, the states a province's fleet shows on a working day (per mille of agents). */
const STATE_MIX: [LivenessState | 'retired' | 'no posture', number][] = [
  ['late', 20],
  ['offline', 40],
  ['missing', 10],
  ['stopped', 10],
  ['retired', 5],
  ['no posture', 10],
];

function fateOf(i: number): LivenessState | 'retired' | 'no posture' {
  let r = Rng.from(SEED, 'fate', i).int(0, 999);
  for (const [fate, perMille] of STATE_MIX) {
    if (r < perMille) return fate;
    r -= perMille;
  }
  return 'online';
}

function seed(store: Store): void {
  const now = Date.now();
  const at = new Date(now).toISOString();
  // A province's tree under the default unit (which the admin is scoped to): 10 departments of 5 units each.
  for (let u = 0; u < UNITS; u++) {
    const dept = `bench-d${u % 10}`;
    if (!store.units.get(dept)) store.units.create({ id: dept, name: `Bench department ${u % 10}`, parentId: 'default', defaultLevel: 2 });
    const id = `bench-u${String(u).padStart(2, '0')}`;
    if (!store.units.get(id)) store.units.create({ id, name: `Bench unit ${u}`, parentId: dept, defaultLevel: 1 + (u % 3) });
  }
  const tokenId = 'tok_bench_dashboard';
  if (!store.db.prepare('SELECT 1 FROM enrollment_tokens WHERE id = ?').get(tokenId)) {
    store.tokens.insert({
      id: tokenId,
      unitId: 'default',
      tokenSha256: createHash('sha256').update(tokenId).digest('hex'),
      createdAt: at,
      expiresAt: new Date(now + 86_400_000).toISOString(),
      maxUses: AGENTS,
      uses: 0,
      revoked: false,
      createdBy: 'bench',
    });
  }
  // Findings as the collector would have evaluated them on each agent's first posture.
  // Used for its evaluation only: its periodic re-evaluation is never started here.
  const compliance = new ComplianceService(
    store,
    { policyDir: defaultPolicyDir(), packs: ['vn-nd85-tt12', 'cis-v8'], overrides: {}, reevaluateEveryMs: 6 * 3_600_000 },
    pino({ level: 'silent' }),
  );
  const t0 = performance.now();
  for (let start = 0; start < AGENTS; start += CHUNK) {
    store.transaction(() => {
      for (let i = start; i < Math.min(AGENTS, start + CHUNK); i++) {
        const { profile, state } = machineProfile(SEED, i);
        const id = `agt_bench${String(i).padStart(12, '0')}`;
        const unitId = `bench-u${String(i % UNITS).padStart(2, '0')}`;
        store.agents.insert({
          id,
          unitId,
          publicKey: `bench-key-${i}`,
          hostname: profile.hostname,
          hardwareId: profile.hardwareId,
          platform: profile.platform,
          agentVersion: '0.1.0',
          enrolledAt: at,
          tokenId,
        });
        const fate = fateOf(i);
        if (fate !== 'no posture') {
          const posture = buildPosture(profile, state, id, 1, now, Rng.from(SEED, 'posture', i));
          const hash = postureHash(posture);
          store.agents.accept({ agentId: id, seq: 1, kind: 'posture', receivedAt: at, clockSkewMs: 0, gap: 0, bodySha256: hash });
          store.agents.savePosture(id, 1, hash, JSON.stringify(posture), at, true);
          compliance.evaluateAgent(id, unitId, posture, new Date(now));
        }
        if (fate === 'retired') retireAgent(store.db, id, 'decommissioned', at);
        else if (fate !== 'online' && fate !== 'no posture') store.agents.setState(id, fate, 'bench', at);
      }
    });
    if ((start / CHUNK) % 4 === 3) console.log(`  seeded ${start + CHUNK} agents in ${fmt((performance.now() - t0) / 1000)} s`);
  }
  // The collector re-evaluates every agent at start when the policy set changed since the last run.
  store.settings.setEvaluatedPolicyDigest(compliance.policySet.digest);
  void compliance.close();
  store.db.pragma('wal_checkpoint(TRUNCATE)');
}

async function timeGet(url: string, cookie: string, p: string): Promise<{ status: number; medianMs: number; p95Ms: number; bytes: number }> {
  const ms: number[] = [];
  let status = 0;
  let bytes = 0;
  for (let i = 0; i < WARMUP + REQUESTS; i++) {
    const t0 = performance.now();
    const res = await fetch(new URL(p, url), { headers: { cookie } });
    bytes = (await res.arrayBuffer()).byteLength;
    if (i >= WARMUP) ms.push(performance.now() - t0);
    status = res.status;
  }
  ms.sort((a, b) => a - b);
  const at = (q: number) => ms[Math.min(ms.length - 1, Math.ceil(q * ms.length) - 1)]!;
  return { status, medianMs: at(0.5), p95Ms: at(0.95), bytes };
}

/** Waits until the process used under 5 % of a core for 3 seconds in a row (at most 5 minutes). */
async function settle(pid: number): Promise<{ idle: boolean; seconds: number }> {
  const t0 = performance.now();
  let quiet = 0;
  let last = procStat(pid).cpuSec;
  while (performance.now() - t0 < 300_000) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = procStat(pid).cpuSec;
    quiet = now - last < 0.05 ? quiet + 1 : 0;
    last = now;
    if (quiet >= 3) return { idle: true, seconds: (performance.now() - t0) / 1000 };
  }
  return { idle: false, seconds: (performance.now() - t0) / 1000 };
}


async function main() {
  const cores = coreSplit();
  console.log(`dashboard benchmark${quick ? ' (quick)' : ''}: ${AGENTS} agents in ${UNITS} units, ${WARMUP} warm-up + ${REQUESTS} timed requests per endpoint`);
  console.log(`machine: ${machineDescription()}`);
  console.log(`data: ${dataDir}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!existsSync(seededMarker)) {
    if (existsSync(dataDir)) throw new Error(`${dataDir} exists but was not completely seeded: remove ${dir} and run again`);
    const t0 = performance.now();
    const store = openStore(dataDir);
    try {
      seed(store);
    } finally {
      store.close();
    }
    writeFileSync(seededMarker, `${AGENTS}\n`);
    console.log(`seeded ${AGENTS} agents in ${fmt((performance.now() - t0) / 1000)} s`);
  } else console.log('reusing the seeded data dir');

  const s0 = performance.now();
  // The seeded agents never report: liveness timers far away keep the collector from sweeping 100,000 of them
  // to late and offline while the reads are timed (that is the steady benchmark's business).
  const env = { SOCLITE_AGENTS_LATE_AFTER_SEC: '2592000', SOCLITE_AGENTS_OFFLINE_AFTER_SEC: '5184000', SOCLITE_AGENTS_MISSING_AFTER_SEC: '7776000' };
  const collector = await startCollector({ dataDir, port: await freePort(), cores: cores.server, env });
  // Includes any migration the collector applies to the kept data dir (e.g. a backfill after an upgrade).
  console.log(`collector listening after ${fmt((performance.now() - s0) / 1000)} s`);
  try {
    // The collector creates the admin (and prints its password) on its first start only.
    const pwFile = path.join(dir, 'admin-password');
    const pw = /^admin password: (\S+)$/m.exec(collector.output())?.[1];
    if (pw) writeFileSync(pwFile, pw + '\n', { mode: 0o600 });
    const login = await fetch(new URL('/api/v1/session', collector.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: readFileSync(pwFile, 'utf8').trim() }),
    });
    if (!login.ok) throw new Error(`login failed: HTTP ${login.status} ${await login.text()}`);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    // Start-up work (the day's compliance-trend snapshot: seconds of whole-table scans at 100,000 agents) would
    // otherwise share the cores with whichever endpoint is timed first.
    const settled = await settle(collector.pid);
    console.log(`collector ${settled.idle ? 'idle' : 'still busy'} after ${fmt(settled.seconds)} s of start-up work`);
    const results: Record<string, Awaited<ReturnType<typeof timeGet>>> = {};
    for (const [name, p] of [
      ['overview', '/api/v1/overview'],
      ['agents (first page)', '/api/v1/agents'],
      ['compliance', '/api/v1/compliance'],
    ] as const) {
      const r = await timeGet(collector.url, cookie, p);
      results[name] = r;
      console.log(`GET ${p}: HTTP ${r.status}, ${r.bytes} bytes, median ${fmt(r.medianMs)} ms, p95 ${fmt(r.p95Ms)} ms (target < 200 ms)`);
    }
    console.log(`\nresult: ${JSON.stringify({ bench: 'dashboard', quick, agents: AGENTS, requests: REQUESTS, machine: machineDescription(), results })}`);
  } finally {
    await collector.stop();
  }
}

await main();
