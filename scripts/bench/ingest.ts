// Ingest throughput: signed posture reports and heartbeats per second through the real collector, against the
// same requests (same bodies, same headers) through a bare fastify JSON endpoint: the HTTP stack's own limit.
// Each phase runs through the collector and the bare server in turns (a few rounds each, both kept running), so
// each ratio compares two servers measured on the same machine over the same minute (see measure).
// Unchanged postures and heartbeats are measured both ways an agent may authenticate: an Ed25519 signature per
// request, and an HMAC under a session key (sessions are opened before the requests are built).
// The server under test may use every core (see coreSplit in lib/processes.ts), this load generator is pinned
// to the last one and speaks HTTP/1.1 over raw sockets; every request is signed and framed before the clock
// starts, and the generator's own CPU per request is printed beside the servers'.
// Usage: npx tsx scripts/bench/ingest.ts [--quick] [--agents N] [--concurrency C] [--heartbeat-rounds R] [--split]
//        --split also times the bare app inside the collector's own process (lib/bare-in-process.ts) and prints
//        the gap in two parts: the collector's work against bare fastify in the same process, and that same
//        bare code in the collector's process against the standalone bare server.
//        BENCH_CPU_PROF=dir profiles the whole collector run; add BENCH_PROFILE_PHASE="<phase name>" for one phase
//        only, of both servers.
import { createHmac, generateKeyPairSync, sign, verify } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Fleet, DEFAULTS } from '../simulate/fleet.js';
import { buildPhases, inTurns, type Phase } from './lib/ingest-phases.js';
import { addLoadResults, runLoad, type LoadResult } from './lib/load.js';
import { startPhaseProfile } from './lib/inspector-profile.js';
import { preloadArgsFor } from './lib/compiled-cli.js';
import { coreSplit, createTokenFile, loggedProblems, machineDescription, pinSelf, procStat, readToken, startBareServer, startCollector, type ServerProcess } from './lib/processes.js';

const { values } = parseArgs({ options: { quick: { type: 'boolean' }, agents: { type: 'string' }, concurrency: { type: 'string' }, keep: { type: 'boolean' }, split: { type: 'boolean' }, 'heartbeat-rounds': { type: 'string' } } });
const quick = values.quick ?? false;
const AGENTS = Number(values.agents ?? (quick ? 300 : 2000));
const CONCURRENCY = Number(values.concurrency ?? 32);
const UNCHANGED_ROUNDS = quick ? 3 : 5;
const HEARTBEAT_ROUNDS = Number(values['heartbeat-rounds'] ?? (quick ? 10 : 20));
const SEED = 'bench-ingest';
/** How many turns each phase is split into between the collector and the bare server (see measure). */
const TURNS = 5;
/** Width of the printed tables' first column: the longest phase name. */
const KIND_WIDTH = 48;

/** laterCpuMs: CPU the server used after its turn's last answer, until it was idle again (the collector's only). */
type Measured = LoadResult & { cpuPerReqMs: number; laterCpuMs: number };

async function measureOne(server: ServerProcess, ph: Phase, profile?: { phase: string; dir: string; server: 'collector' | 'bare' }): Promise<Measured> {
  const profiler = profile && ph.name === profile.phase ? await startPhaseProfile(server.pid) : undefined;
  const before = procStat(server.pid);
  const r = await runLoad(server.url, ph.rounds, CONCURRENCY);
  const after = procStat(server.pid);
  if (profiler) {
    const file = path.join(profile!.dir, `${profile!.server}-${ph.name.replace(/[^a-z0-9]+/gi, '-')}.cpuprofile`);
    await profiler.stop(file);
    console.log(`profile of "${ph.name}" written to ${file} (npx tsx scripts/bench/profile-top.ts ${file})`);
  }
  return { ...r, cpuPerReqMs: ((after.cpuSec - before.cpuSec) * 1000) / r.requests, laterCpuMs: 0 };
}

/**
 * Each phase through both servers in turns: a few rounds through the collector, the same rounds through the bare
 * server (which of the two goes first alternates), and so on, the figures of each server added up. This machine's
 * speed drifts by up to 2x over minutes (bare fastify gave 13,000 and 29,000 heartbeats/s in runs half an hour
 * apart), and still by a third between one phase and the next: a ratio of two halves measured one after the other
 * moved 40-68 % between runs of the same code, as the machine sped up or slowed down between the halves. In turns,
 * both halves see the same machine. A profiled phase runs whole on each server instead (one inspector port at a
 * time). With --split the bare app inside the collector's process is a third server in the same turns (not in a
 * profiled phase).
 */
async function measure(
  collector: ServerProcess,
  bare: ServerProcess,
  phases: Phase[],
  profile?: { phase: string; dir: string },
  inProcess?: ServerProcess,
): Promise<{ collector: Measured[]; bare: Measured[]; inProcess: (Measured | undefined)[] }> {
  const out = { collector: [] as Measured[], bare: [] as Measured[], inProcess: [] as (Measured | undefined)[] };
  for (const ph of phases) {
    const profiled = profile && ph.name === profile.phase;
    const sums: (Measured | undefined)[] = [];
    for (const [turn, rounds] of inTurns(ph.rounds, profiled ? 1 : TURNS).entries()) {
      const part = { ...ph, rounds };
      const timeCollector = async (): Promise<Measured> => {
        const pc = await measureOne(collector, part, profile && { ...profile, server: 'collector' });
        // The collector finishes what the turn left (slow lane, WAL copies) before the next server is timed,
        // and counts it as its own: its CPU per request is all it spent until it was idle again.
        const cpuAfter = procStat(collector.pid).cpuSec;
        await waitIdle(collector.pid);
        pc.laterCpuMs = (procStat(collector.pid).cpuSec - cpuAfter) * 1000;
        pc.cpuPerReqMs += pc.laterCpuMs / pc.requests;
        return pc;
      };
      const timeBare = () => measureOne(bare, part, profile && { ...profile, server: 'bare' });
      const timers = inProcess && !profiled ? [timeCollector, timeBare, () => measureOne(inProcess, part)] : [timeCollector, timeBare];
      // Which server goes first rotates (alternates, with two): whichever went second was 10-25 % faster in an
      // A/B of two collectors of the same build (fifth session), so a fixed order would bias every ratio.
      for (let k = 0; k < timers.length; k++) {
        const i = (k + turn) % timers.length;
        const m = await timers[i]!();
        sums[i] = sums[i] ? addMeasured(sums[i]!, m) : m;
      }
    }
    out.collector.push(sums[0]!);
    out.bare.push(sums[1]!);
    out.inProcess.push(sums[2]);
  }
  return out;
}

function addMeasured(a: Measured, b: Measured): Measured {
  return {
    ...addLoadResults(a, b),
    cpuPerReqMs: (a.cpuPerReqMs * a.requests + b.cpuPerReqMs * b.requests) / (a.requests + b.requests),
    laterCpuMs: a.laterCpuMs + b.laterCpuMs,
  };
}

/** Waits until a process used under 5 % of a core over 200 ms (at most 10 s). */
async function waitIdle(pid: number): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const a = procStat(pid).cpuSec;
    await new Promise((r) => setTimeout(r, 200));
    if (procStat(pid).cpuSec - a < 0.01) return;
  }
}

/** CPU ms of one Ed25519 signature check over a report's signing message, averaged over 2,000. */
function ed25519VerifyMs(): number {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const msg = Buffer.from(`soclite-v1\nPOST\n/api/v1/agents/agt_x/reports\nagt_x\n1\n${Date.now()}\n${'0'.repeat(64)}`);
  const sig = sign(null, msg, privateKey);
  const n = 2000;
  const t0 = process.cpuUsage();
  for (let i = 0; i < n; i++) verify(null, msg, publicKey, sig);
  const t = process.cpuUsage(t0);
  return (t.user + t.system) / 1000 / n;
}

/** CPU ms of one session check: HMAC-SHA256 over a report's signing message with a 32-byte key, over 20,000. */
function hmacMs(): number {
  const key = Buffer.alloc(32, 7);
  const msg = `soclite-v1\nPOST\n/api/v1/agents/agt_x/reports\nagt_x\n1\n${Date.now()}\n${'0'.repeat(64)}`;
  const n = 20_000;
  const t0 = process.cpuUsage();
  for (let i = 0; i < n; i++) createHmac('sha256', key).update(msg, 'utf8').digest();
  const t = process.cpuUsage(t0);
  return (t.user + t.system) / 1000 / n;
}

/** A ratio as the result line records it: three decimals. */
const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** With --split: the collector against the bare app in its own process, and that app against the standalone one. */
function splitOf(c: Measured, b: Measured, ip: Measured | undefined) {
  if (!ip) return {};
  return {
    split: {
      inProcessPerSec: Math.round(ip.perSec),
      collectorVsInProcess: round3(c.perSec / ip.perSec),
      collectorVsInProcessCpu: round3(ip.cpuPerReqMs / c.cpuPerReqMs),
      inProcessVsBare: round3(ip.perSec / b.perSec),
      inProcessVsBareCpu: round3(b.cpuPerReqMs / ip.cpuPerReqMs),
    },
  };
}

const fmt = (x: number, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : '-');

async function main() {
  const cores = coreSplit();
  pinSelf(cores.load);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'soclite-bench-ingest-'));
  const dataDir = path.join(dir, 'data');
  console.log(`ingest benchmark${quick ? ' (quick)' : ''}: ${AGENTS} agents, ${CONCURRENCY} requests in flight over keep-alive connections`);
  console.log(`machine: ${machineDescription()}`);
  console.log(`cores: server under test on ${cores.server ?? 'any'}, load generator on ${cores.load ?? 'any'}`);
  console.log(`load average before: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} (other work on the machine skews every figure)`);
  // BENCH_CPU_PROF=dir writes a V8 CPU profile of the collector there (node --cpu-prof) for finding hot spots.
  // BENCH_NODE_ARGS adds node flags to the collector (e.g. --max-semi-space-size=32), as in bench:steady.
  const nodeArgs = [
    ...(process.env.BENCH_CPU_PROF && !process.env.BENCH_PROFILE_PHASE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
    ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean),
  ];
  if (values.split) nodeArgs.push(...preloadArgsFor('scripts/bench/lib/bare-in-process.ts'));
  const collector = await startCollector({ dataDir, port: 0, cores: cores.server, nodeArgs });
  let inProcess: ServerProcess | undefined;
  if (values.split) {
    const m = /^BARE IN PROCESS: (\S+)$/m.exec(collector.output());
    if (!m) {
      await collector.stop();
      throw new Error(`--split: the collector did not print the in-process bare server's URL:\n${collector.output()}`);
    }
    inProcess = { ...collector, url: m[1]! };
  }
  let results: Measured[];
  let bare: Measured[];
  let inProcessResults: (Measured | undefined)[] = [];
  let phases: Phase[];
  const bareServer = await startBareServer({ port: 0, cores: cores.server });
  try {
    const token = readToken(createTokenFile(dataDir, path.join(dir, 'token')));
    const fleet = new Fleet({
      ...DEFAULTS,
      server: collector.url,
      token,
      agents: AGENTS,
      seed: SEED,
      rampSec: 0,
      log: (l) => console.log('  ' + l),
    });
    const t0 = performance.now();
    await fleet.enroll();
    console.log(`enrolled ${AGENTS} agents in ${fmt((performance.now() - t0) / 1000, 1)} s (${fmt(AGENTS / ((performance.now() - t0) / 1000))}/s)`);
    const t1 = performance.now();
    await fleet.openSessions();
    console.log(`opened ${fleet.stats.sessionsOpened} sessions in ${fmt((performance.now() - t1) / 1000, 1)} s`);
    phases = buildPhases(fleet.identitiesInOrder(), SEED, { unchangedRounds: UNCHANGED_ROUNDS, heartbeatRounds: HEARTBEAT_ROUNDS });
    await waitIdle(collector.pid);
    // BENCH_PROFILE_PHASE="heartbeat, session MAC" profiles the main thread of the collector, then of the bare
    // server, during that phase only (written to BENCH_CPU_PROF or the temp dir); the profiler's own cost makes
    // that phase's figures slower.
    const profilePhase = process.env.BENCH_PROFILE_PHASE;
    ({ collector: results, bare, inProcess: inProcessResults } = await measure(
      collector,
      bareServer,
      phases,
      profilePhase ? { phase: profilePhase, dir: process.env.BENCH_CPU_PROF ?? os.tmpdir() } : undefined,
      inProcess,
    ));
    const mem = procStat(collector.pid);
    console.log(`collector RSS after the run: ${fmt(mem.rssBytes / 2 ** 20)} MiB`);
    if (results.some((r) => Object.keys(r.errors).length > 0)) console.log(loggedProblems(collector.output()));
  } finally {
    await collector.stop();
    await bareServer.stop();
  }
  if (!values.keep) rmSync(dir, { recursive: true, force: true });

  console.log('');
  console.log(`load average after: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  console.log(`${'kind'.padEnd(KIND_WIDTH)}  requests   collector/s   bare/s   ratio   p50 ms (c/b)   p99 ms (c/b)   CPU ms/req (c/b)   CPU ratio   generator CPU ms/req (c/b)`);
  const rows = [];
  for (let i = 0; i < phases.length; i++) {
    const c = results[i]!;
    const b = bare[i]!;
    const ratio = c.perSec / b.perSec;
    // CPU time per request (from /proc) is the steadier ratio when other work shares the machine.
    const cpuRatio = b.cpuPerReqMs / c.cpuPerReqMs;
    rows.push({
      kind: phases[i]!.name,
      auth: phases[i]!.auth,
      requests: c.requests,
      collectorPerSec: Math.round(c.perSec),
      barePerSec: Math.round(b.perSec),
      ratio: round3(ratio),
      cpuRatio: round3(cpuRatio),
      p50Ms: [c.p50Ms, b.p50Ms],
      p99Ms: [c.p99Ms, b.p99Ms],
      cpuMsPerReq: [c.cpuPerReqMs, b.cpuPerReqMs],
      errors: c.errors,
      ...splitOf(c, b, inProcessResults[i]),
      generatorCpuMsPerReq: [(c.generatorCpuSec * 1000) / c.requests, (b.generatorCpuSec * 1000) / b.requests],
    });
    console.log(
      `${phases[i]!.name.padEnd(KIND_WIDTH)} ${String(c.requests).padStart(9)} ${fmt(c.perSec).padStart(12)} ${fmt(b.perSec).padStart(8)} ${(fmt(ratio * 100) + '%').padStart(7)}   ${`${fmt(c.p50Ms, 1)}/${fmt(b.p50Ms, 1)}`.padStart(12)}   ${`${fmt(c.p99Ms, 1)}/${fmt(b.p99Ms, 1)}`.padStart(12)}   ${`${fmt(c.cpuPerReqMs, 3)}/${fmt(b.cpuPerReqMs, 3)}`.padStart(16)}   ${(fmt(cpuRatio * 100) + '%').padStart(8)}   ${`${fmt((c.generatorCpuSec * 1000) / c.requests, 3)}/${fmt((b.generatorCpuSec * 1000) / b.requests, 3)}`.padStart(14)}`,
    );
    if (Object.keys(c.errors).length) console.log(`  collector errors: ${JSON.stringify(c.errors)}`);
    // Work the collector left for after its answers (WAL copies, a slow lane) may have run beside the bare
    // server's turn and slowed it; its CPU is in the collector's figure, and shown here.
    if (c.laterCpuMs > 0) console.log(`  collector CPU after its answers (counted in its CPU ms/req): ${fmt(c.laterCpuMs)} ms = ${fmt(c.laterCpuMs / c.requests, 3)} ms/req`);
  }
  if (inProcessResults.some(Boolean)) {
    console.log('\n--split: the same bare fastify app inside the collector\'s process, timed in the same turns');
    console.log(`${'kind'.padEnd(KIND_WIDTH)} in-process bare/s   collector vs in-process (CPU)   in-process vs standalone bare (CPU)`);
    for (const r of rows) {
      if (!r.split) continue;
      const x = r.split;
      console.log(
        `${r.kind.padEnd(KIND_WIDTH)} ${fmt(x.inProcessPerSec).padStart(18)}   ${`${fmt(x.collectorVsInProcess * 100)} % (${fmt(x.collectorVsInProcessCpu * 100)} %)`.padStart(29)}   ${`${fmt(x.inProcessVsBare * 100)} % (${fmt(x.inProcessVsBareCpu * 100)} %)`.padStart(35)}`,
      );
    }
  }
  // The floor no implementation can go under: one Ed25519 verify per signed request, one HMAC per session
  // request, measured here.
  const verifyMs = ed25519VerifyMs();
  const macMs = hmacMs();
  const nCores = os.cpus().length;
  console.log(`\nEd25519 verify on this machine: ${fmt(verifyMs, 3)} ms of CPU per request; session HMAC: ${fmt(macMs, 4)} ms (${nCores} cores).`);
  for (const r of rows) {
    const bareMs = r.cpuMsPerReq[1]!;
    const genMs = r.generatorCpuMsPerReq[0]!;
    const checkMs = r.auth === 'session' ? macMs : verifyMs;
    // Bare work + the authentication check + the generator's share, spread perfectly over every core: an upper bound.
    const ceiling = (nCores * 1000) / (bareMs + checkMs + genMs);
    const what = r.auth === 'session' ? 'the session HMAC' : 'the Ed25519 signature check';
    console.log(`  ${r.kind}: a server doing only the bare work plus ${what} on all ${nCores} cores would reach at most ${fmt(ceiling)}/s = ${fmt((ceiling / r.barePerSec) * 100)} % of bare`);
  }
  console.log(`\nresult: ${JSON.stringify({ bench: 'ingest', quick, agents: AGENTS, concurrency: CONCURRENCY, verifyMs, macMs, rows })}`);
  const failed = rows.some((r) => Object.keys(r.errors).length > 0);
  process.exitCode = failed ? 1 : 0;
}

await main();
