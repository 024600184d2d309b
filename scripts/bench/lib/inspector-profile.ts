// Profiles a running server process's main thread over one stretch of a benchmark, through the inspector:
// SIGUSR1 opens it on 127.0.0.1:9229 (Node's default), the Chrome DevTools protocol starts and stops the
// sampling profiler. The .cpuprofile written opens in Chrome DevTools or speedscope; scripts/bench/profile-top.ts
// prints where the time went. Used by bench:ingest (BENCH_PROFILE_PHASE) and bench:steady (BENCH_PROFILE_SEC).
import { writeFileSync } from 'node:fs';
import WebSocket from 'ws';

export interface PhaseProfiler {
  stop(file: string): Promise<void>;
}

async function debuggerUrl(deadlineMs: number): Promise<string> {
  for (;;) {
    try {
      const res = await fetch('http://127.0.0.1:9229/json/list');
      const list = (await res.json()) as { webSocketDebuggerUrl: string }[];
      if (list[0]) return list[0].webSocketDebuggerUrl;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadlineMs) throw new Error('the inspector did not open on 127.0.0.1:9229 within 10 s (is the port taken?)');
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startPhaseProfile(pid: number, samplingIntervalUs = 200): Promise<PhaseProfiler> {
  process.kill(pid, 'SIGUSR1');
  const ws = new WebSocket(await debuggerUrl(Date.now() + 10_000));
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  let nextId = 1;
  const pending = new Map<number, (r: unknown) => void>();
  ws.on('message', (d) => {
    const msg = JSON.parse(d.toString()) as { id?: number; result?: unknown };
    if (msg.id !== undefined) pending.get(msg.id)?.(msg.result);
  });
  const call = (method: string, params: object = {}) =>
    new Promise<unknown>((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      ws.send(JSON.stringify({ id, method, params }));
    });
  await call('Profiler.enable');
  await call('Profiler.setSamplingInterval', { interval: samplingIntervalUs });
  await call('Profiler.start');
  return {
    async stop(file) {
      const r = (await call('Profiler.stop')) as { profile: unknown };
      writeFileSync(file, JSON.stringify(r.profile));
      // Close the process's inspector, so port 9229 is free for the next process profiled (bench:ingest
      // profiles the collector, then the bare server); the answer never comes, the socket closes instead.
      ws.send(JSON.stringify({ id: nextId++, method: 'Runtime.evaluate', params: { expression: 'process._debugEnd()' } }));
      await new Promise((resolve) => {
        ws.once('close', resolve);
        setTimeout(() => resolve(ws.close()), 2000);
      });
    },
  };
}

