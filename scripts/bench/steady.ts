// Steady state: N simulated agents (60 s heartbeats, a full posture every 15 min, realistic changes, detections
// and silences) against the real collector for several minutes. Reports the collector's CPU (from
// /proc/<pid>/stat), peak RSS, p99 ingest latency seen by the agents, SQLite bytes per agent, and how long the
// dashboard's first agents page, the overview and the compliance summary take with that fleet.
// Usage: npx tsx scripts/bench/steady.ts [--quick] [--agents N] [--minutes M] [--dir D] [--max-warmup-min W] [--ramp S] [--connections C]
// The data dir and the agents' identities are kept in --dir (default: $TMPDIR/soclite-bench-steady-N), so a
// second run skips enrolling 100,000 agents.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { DEFAULTS } from '../simulate/fleet.js';
import { FleetGroup } from '../simulate/fleet-group.js';
import { LatencyHistogram } from '../simulate/latency.js';
import { coreSplit, createTokenFile, loggedProblems, machineDescription, pinSelf, procStat, readToken, startCollector, freePort, threadSchedStat } from './lib/processes.js';
import { startPhaseProfile } from './lib/inspector-profile.js';
import { histogramDelta, histogramQuantile, scrape } from './lib/prom.js';

const { values } = parseArgs({
  options: { quick: { type: 'boolean' }, agents: { type: 'string' }, minutes: { type: 'string' }, dir: { type: 'string' }, heartbeat: { type: 'string' }, 'posture-every': { type: 'string' }, 'max-warmup-min': { type: 'string' }, ramp: { type: 'string' }, connections: { type: 'string' }, processes: { type: 'string' }, 'simulator-nice': { type: 'string' } },
});
const quick = values.quick ?? false;
const AGENTS = Number(values.agents ?? (quick ? 2000 : 100_000));
const MINUTES = Number(values.minutes ?? (quick ? 0.5 : 5));
const HEARTBEAT = Number(values.heartbeat ?? 60);
const POSTURE_EVERY = Number(values['posture-every'] ?? 900);
// A fresh fleet's first postures are full evaluations: --ramp 900 spreads them over one posture interval, as
// a real roll-out does, instead of asking for 100,000 of them in one minute. The default spreads first contacts
// over one heartbeat interval, so heartbeats arrive evenly: --quick used a 15 s ramp, which bunched every
// heartbeat into a quarter of each minute, and its 30 s window counted 5 heartbeats/s instead of 33.
const RAMP = Number(values.ramp ?? HEARTBEAT);
const MAX_WARMUP_MIN = Number(values['max-warmup-min'] ?? 30);
// Real agents each hold their own connection; the simulator shares a pool. Too few pooled connections and the
// latency it records is mostly its own queue (32 connections at 1,700 reports/s: p50 35 ms measured).
const CONNECTIONS = Number(values.connections ?? 256);
// The simulator's agents run in a few processes (fleet-group.ts): one heap of 100,000 virtual agents paused
// for garbage collection up to 180 ms at a time, and those pauses counted as collector latency.
const PROCESSES = Number(values.processes ?? Math.min(4, Math.max(1, Math.round(AGENTS / 25_000))));
// Real agents run on other machines; here the simulator shares the two cores with the collector (whose main
// thread waited for a CPU 4-6 % of the window). --simulator-nice N lowers the simulator's CPU priority, as
// separate machines would; it is off by default because the simulator's own waits then grow, and they count
// in the latency it records (one run at nice 10: simulator loop delay max 161 ms, agent-side p99 170 ms).
const SIMULATOR_NICE = Number(values['simulator-nice'] ?? 0);
const dir = values.dir ?? path.join(os.tmpdir(), `soclite-bench-steady-${AGENTS}`);
const SEED = 'bench-steady';

const fmt = (x: number, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : '-');
/** CPU seconds used so far by the simulator's processes (this one and its slices). */
const simulatorCpuSec = (fleet: FleetGroup) => {
  const own = process.cpuUsage();
  return (own.user + own.system) / 1e6 + fleet.pids.reduce((sum, pid) => sum + procStat(pid).cpuSec, 0);
};
const fileSize = (f: string) => (existsSync(f) ? statSync(f).size : 0);

/**
 * Where a report's time goes before the collector's handler runs (the simulator's own queue, the network, the
 * collector's event loop reading it): the collector stores each agent's last clock skew, the signed timestamp
 * minus the time its handler started, and here both run on one clock, so the skew is that delay, negated.
 * One sample per agent (its last report in the window).
 */
function signedToHandlerMs(dbFile: string, sinceIso: string): { samples: number; p50Ms: number; p99Ms: number } {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    const h = new LatencyHistogram();
    for (const ms of db.prepare('SELECT -clock_skew_ms FROM agents WHERE last_seen_at >= ?').pluck().iterate(sinceIso) as Iterable<number>) h.record(ms);
    return { samples: h.count, p50Ms: h.percentile(50), p99Ms: h.percentile(99) };
  } finally {
    db.close();
  }
}

async function timeGet(url: string, cookie: string, p: string, times = 5): Promise<{ status: number; medianMs: number; maxMs: number }> {
  const ms: number[] = [];
  let status = 0;
  for (let i = 0; i < times; i++) {
    const t0 = performance.now();
    const res = await fetch(new URL(p, url), { headers: { cookie } });
    await res.arrayBuffer();
    ms.push(performance.now() - t0);
    status = res.status;
  }
  ms.sort((a, b) => a - b);
  return { status, medianMs: ms[Math.floor(ms.length / 2)]!, maxMs: ms[ms.length - 1]! };
}

async function main() {
  const cores = coreSplit();
  pinSelf(cores.load);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const dataDir = path.join(dir, 'data');
  console.log(`steady-state benchmark${quick ? ' (quick)' : ''}: ${AGENTS} agents, heartbeat ${HEARTBEAT}s, posture every ${POSTURE_EVERY}s, ramp ${RAMP}s, measured ${MINUTES} min, ${CONNECTIONS} simulator connections`);
  console.log(`machine: ${machineDescription()}; collector on core ${cores.server ?? 'any'}, simulator on ${cores.load ?? 'any'}`);
  console.log(`data and identities: ${dir}`);
  console.log(`load average before: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  // BENCH_CPU_PROF alone profiles the whole collector run; with BENCH_PROFILE_SEC it only names where that window's profile goes.
  // BENCH_NODE_ARGS adds node flags to the collector (e.g. --trace-gc), BENCH_COLLECTOR_OUTPUT=file keeps what it printed.
  const nodeArgs = [
    ...(process.env.BENCH_CPU_PROF && !process.env.BENCH_PROFILE_SEC ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
    ...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean),
  ];
  // The identity cache is tied to the collector's URL, so a kept data dir keeps its port too.
  const portFile = path.join(dir, 'port');
  const port = existsSync(portFile) ? Number(readFileSync(portFile, 'utf8')) : await freePort();
  writeFileSync(portFile, String(port));
  const collector = await startCollector({ dataDir, port, cores: cores.server, nodeArgs });
  try {
    const pwFile = path.join(dir, 'admin-password');
    const pw = /^admin password: (\S+)$/m.exec(collector.output())?.[1];
    if (pw) writeFileSync(pwFile, pw + '\n', { mode: 0o600 });
    const tokenFile = path.join(dir, 'token');
    if (!existsSync(tokenFile)) createTokenFile(dataDir, tokenFile);
    const fleet = new FleetGroup(
      {
      ...DEFAULTS,
      server: collector.url,
      token: readToken(tokenFile),
      agents: AGENTS,
      seed: SEED,
      heartbeatSec: HEARTBEAT,
      postureEverySec: POSTURE_EVERY,
      rampSec: RAMP,
      connections: CONNECTIONS,
      identityFile: path.join(dir, 'identities.json'),
      log: (l) => console.log('  ' + l),
      },
      PROCESSES,
    );
    const t0 = performance.now();
    const ids = await fleet.enroll();
    console.log(`agents: ${ids.reused} reused, ${ids.enrolled} enrolled in ${fmt((performance.now() - t0) / 1000, 1)} s`);
    await fleet.start();
    if (SIMULATOR_NICE !== 0) for (const pid of fleet.pids) os.setPriority(pid, SIMULATOR_NICE);
    // Warm-up: the ramp plus one heartbeat interval, so every agent has made first contact, and then until
    // the backlog of first postures is drained (every agent's first posture is a full evaluation; a fresh
    // fleet of 100,000 is minutes of work): steady state is what is measured, not the enrollment storm.
    const minWarmupSec = RAMP + HEARTBEAT;
    const drainedBelow = Math.max(50, Math.ceil(AGENTS / 2000));
    console.log(`warming up: at least ${minWarmupSec} s, then until fewer than ${drainedBelow} reports wait in the simulator (at most ${MAX_WARMUP_MIN} min)...`);
    const w0 = performance.now();
    const wCpu0 = procStat(collector.pid);
    let calm = 0;
    for (;;) {
      await sleep(5000);
      const el = (performance.now() - w0) / 1000;
      calm = fleet.queued < drainedBelow ? calm + 1 : 0;
      if (Math.round(el) % 30 < 5) {
        const s = procStat(collector.pid);
        console.log(`  warm-up t=${fmt(el)}s queued ${fleet.queued}, postures sent ${fleet.stats.sent.posture}, collector CPU ${fmt(((s.cpuSec - wCpu0.cpuSec) / el) * 100)}% since start, RSS ${fmt(s.rssBytes / 2 ** 20)} MiB`);
      }
      if (el >= minWarmupSec && calm >= 3) break;
      if (el >= MAX_WARMUP_MIN * 60) {
        console.log(`  warm-up stopped after ${MAX_WARMUP_MIN} min with ${fleet.queued} reports still waiting: the figures below are NOT steady state`);
        break;
      }
    }
    console.log(`warm-up took ${fmt((performance.now() - w0) / 1000)} s`);
    await fleet.resetLatency();
    const prom0 = await scrape(collector.url);
    const sentBefore = { ...fleet.stats.sent };
    // Errors are counted from the simulator's start; those of the warm-up (e.g. sequence numbers resynced after a
    // run that could not save them) are told apart from the window's.
    const errorsBefore = { ...fleet.stats.errors };
    const cpu0 = procStat(collector.pid);
    const sched0 = threadSchedStat(collector.pid);
    // The simulator's own event-loop delay and CPU: a report's latency as the agents see it includes the time
    // the simulator itself took to notice the answer.
    const simCpu0 = simulatorCpuSec(fleet);
    // BENCH_PROFILE_SEC=N: a CPU profile of the collector's main thread over the first N s of the window (into
    // BENCH_CPU_PROF or the temp dir), to find long turns: profile-top.ts --long-turns 20.
    const profileSec = Number(process.env.BENCH_PROFILE_SEC ?? 0);
    if (profileSec > 0 || process.env.BENCH_CPU_PROF) {
      // Measured (BENCHMARKS.md, ninth session): the profiler's SIGPROF ends SQLite's busy-timeout sleeps early,
      // so the 5 s timeout runs out in 12-68 ms.
      console.log('note: profiled run: a group commit that waits for the checkpointer gets SQLITE_BUSY within milliseconds instead of waiting; refusals here are the profiler\'s');
    }
    let profiler = profileSec > 0 ? await startPhaseProfile(collector.pid) : undefined;
    const start = performance.now();
    const windowStartIso = new Date().toISOString();
    let peakRss = cpu0.rssBytes;
    const samples: string[] = [];
    const sentReports = () => {
      const sent = fleet.stats.sent;
      return sent.heartbeat + sent.posture + sent.events;
    };
    let sentLast = sentReports();
    let lastAt = performance.now();
    while (performance.now() - start < MINUTES * 60_000) {
      await sleep(5000);
      const s = procStat(collector.pid);
      peakRss = Math.max(peakRss, s.rssBytes);
      const el = (performance.now() - start) / 1000;
      // Reports sent in these 5 s: bursts (agents in step) show as rates well above the average.
      const sentNow = sentReports();
      const rate = (sentNow - sentLast) / ((performance.now() - lastAt) / 1000);
      [sentLast, lastAt] = [sentNow, performance.now()];
      const line = `  t=${fmt(el)}s collector CPU ${fmt(((s.cpuSec - cpu0.cpuSec) / el) * 100, 1)}% RSS ${fmt(s.rssBytes / 2 ** 20)} MiB p99 ${fmt(fleet.takeWindowP99(), 1)} ms queued ${fleet.queued}, ${fmt(rate)} reports/s`;
      samples.push(line);
      console.log(line);
      if (profiler && performance.now() - start >= profileSec * 1000) {
        const file = path.join(process.env.BENCH_CPU_PROF ?? os.tmpdir(), 'steady-collector.cpuprofile');
        await profiler.stop(file);
        profiler = undefined;
        console.log(`  profile of the collector written to ${file}`);
      }
    }
    const cpu1 = procStat(collector.pid);
    const sched1 = threadSchedStat(collector.pid);
    const simCpuSec = simulatorCpuSec(fleet) - simCpu0;
    await fleet.refresh();
    const prom1 = await scrape(collector.url);
    const seconds = (performance.now() - start) / 1000;
    const summary = fleet.stats.summary();
    const sent = (k: 'heartbeat' | 'posture' | 'events') => fleet.stats.sent[k] - sentBefore[k];
    const windowErrors = Object.fromEntries(
      Object.entries(summary.errors)
        .map(([k, n]) => [k, n - (errorsBefore[k] ?? 0)] as const)
        .filter(([, n]) => n > 0),
    );
    const cpuPct = ((cpu1.cpuSec - cpu0.cpuSec) / seconds) * 100;

    // Dashboard API with the whole fleet in the database.
    const login = await fetch(new URL('/api/v1/session', collector.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: readFileSync(pwFile, 'utf8').trim() }),
    });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    const api = login.ok
      ? {
          agents: await timeGet(collector.url, cookie, '/api/v1/agents'),
          overview: await timeGet(collector.url, cookie, '/api/v1/overview'),
          compliance: await timeGet(collector.url, cookie, '/api/v1/compliance'),
        }
      : null;
    await fleet.stop();

    const beforeHandler = signedToHandlerMs(path.join(dataDir, 'soclite.db'), windowStartIso);
    const dbBytes = fileSize(path.join(dataDir, 'soclite.db')) + fileSize(path.join(dataDir, 'soclite.db-wal'));
    console.log('');
    console.log(`load average after: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    console.log(`reports in the window: ${sent('heartbeat')} heartbeats (${fmt(sent('heartbeat') / seconds, 1)}/s), ${sent('posture')} postures (${fmt(sent('posture') / seconds, 1)}/s), ${sent('events')} event reports; errors ${JSON.stringify(windowErrors)}`);
    if (Object.keys(errorsBefore).length > 0) console.log(`errors before the window (warm-up): ${JSON.stringify(errorsBefore)}`);
    if (Object.keys(summary.errors).length > 0) console.log(loggedProblems(collector.output()));
    console.log(`collector CPU: ${fmt(cpuPct, 1)} % of one core (target < 100 %)`);
    console.log(`collector peak RSS: ${fmt(peakRss / 2 ** 20)} MiB (target < 1536 MiB)`);
    console.log(`ingest latency seen by agents: p50 ${fmt(summary.latency.reports.p50Ms ?? NaN, 1)} ms, p99 ${fmt(summary.latency.reports.p99Ms ?? NaN, 1)} ms (target p99 < 50 ms)`);
    const simulator = { processes: fleet.processes, cpuPct: (simCpuSec / seconds) * 100, loopP99Ms: fleet.loopDelay.p99Ms, loopMaxMs: fleet.loopDelay.maxMs };
    console.log(`  the simulator itself (${fleet.processes} processes): CPU ${fmt(simulator.cpuPct, 1)} % of a core, worst event-loop delay p99 ${fmt(simulator.loopP99Ms, 1)} ms, max ${fmt(simulator.loopMaxMs, 1)} ms`);
    console.log(`SQLite: ${fmt(dbBytes / 2 ** 20, 1)} MiB, ${fmt(dbBytes / AGENTS)} bytes per agent`);
    // Inside the collector: received -> committed, per kind (bucket upper bounds), event-loop stalls and GC.
    const inside = Object.fromEntries(
      ['heartbeat', 'posture', 'events'].map((k) => [
        k,
        { p50: histogramQuantile(prom0, prom1, 'soclite_ingest_duration_seconds', `kind="${k}"`, 0.5), p99: histogramQuantile(prom0, prom1, 'soclite_ingest_duration_seconds', `kind="${k}"`, 0.99) },
      ]),
    );
    for (const [k, v] of Object.entries(inside)) {
      if (v.p99) console.log(`  inside the collector, ${k}: p50 <= ${fmt(v.p50!.le * 1000)} ms, p99 <= ${fmt(v.p99.le * 1000)} ms (${v.p99.count} reports)`);
    }
    console.log(
      `  signed by the agent -> its handler started in the collector (the last report of each of ${beforeHandler.samples} agents): p50 ${fmt(beforeHandler.p50Ms, 1)} ms, p99 ${fmt(beforeHandler.p99Ms, 1)} ms`,
    );
    const gc = histogramDelta(prom0, prom1, 'soclite_process_nodejs_gc_duration_seconds');
    const majorGc = histogramDelta(prom0, prom1, 'soclite_process_nodejs_gc_duration_seconds', 'kind="major"');
    // The main thread's time runnable but not running: what other processes (the simulator) took from it.
    const mainThread = { busyPct: ((sched1.runSec - sched0.runSec) / seconds) * 100, waitedPct: ((sched1.waitSec - sched0.waitSec) / seconds) * 100 };
    console.log(`  main thread: on a CPU ${fmt(mainThread.busyPct, 1)} % of the window, runnable but waiting for a CPU ${fmt(mainThread.waitedPct, 2)} %`);
    const lagMax = prom1.get('soclite_process_nodejs_eventloop_lag_max_seconds') ?? NaN;
    const lagP99 = prom1.get('soclite_process_nodejs_eventloop_lag_p99_seconds') ?? NaN;
    console.log(`  event loop delay over the window: p99 ${fmt(lagP99 * 1000, 1)} ms, max ${fmt(lagMax * 1000, 1)} ms; GC ${gc.count} pauses, ${fmt((gc.sum / seconds) * 100, 2)} % of the time (major: ${majorGc.count}, ${fmt(majorGc.count ? (majorGc.sum / majorGc.count) * 1000 : 0, 1)} ms on average)`);
    if (api) {
      for (const [name, r] of Object.entries(api)) console.log(`GET ${name}: HTTP ${r.status}, median ${fmt(r.medianMs, 1)} ms, max ${fmt(r.maxMs, 1)} ms (target < 200 ms)`);
    } else console.log(`dashboard API not measured: login failed (${login.status})`);
    console.log(
      `\nresult: ${JSON.stringify({ bench: 'steady', quick, agents: AGENTS, heartbeatSec: HEARTBEAT, postureEverySec: POSTURE_EVERY, seconds, cpuPct, peakRssBytes: peakRss, latency: summary.latency, simulator, inside, eventLoop: { p99Ms: lagP99 * 1000, maxMs: lagMax * 1000 }, beforeHandler, mainThread, gc, majorGc, errors: windowErrors, warmupErrors: errorsBefore, dbBytes, bytesPerAgent: dbBytes / AGENTS, api })}`,
    );
  } finally {
    // Kept also when the run failed (a collector that exited, a reading that threw): then it is wanted most.
    const outputFile = process.env.BENCH_COLLECTOR_OUTPUT;
    if (outputFile) {
      writeFileSync(outputFile, collector.output());
      console.log(`  the collector's output is in ${outputFile}`);
    }
    const { exitCode, signalCode } = collector.child;
    if (exitCode !== null || signalCode !== null) console.log(`the collector exited during the run (exit code ${exitCode}, signal ${signalCode})`);
    await collector.stop();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
await main();

