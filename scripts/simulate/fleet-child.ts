// One slice of a simulated fleet in its own process (fleet-group.ts starts these). A fleet of 100,000 virtual
// agents in one process spent a fifth of its time in garbage collection, with pauses up to 180 ms, and those
// pauses counted as the collector's latency; a few smaller heaps pause for less.
// Speaks to its group over the IPC channel: 'run' (options) -> 'ready'; then snapshots every second;
// 'resetLatency' -> 'resetDone'; 'resetWindow'; 'stop' -> 'stopped' (last sequence numbers).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Fleet, type FleetOptions } from './fleet.js';

export type ToChild =
  | { type: 'run'; options: Omit<FleetOptions, 'log'> }
  | { type: 'resetLatency' }
  | { type: 'resetWindow' }
  | { type: 'snapshot' }
  | { type: 'stop'; goodbye: boolean };

export interface ChildSnapshot {
  sent: Record<string, number>;
  accepted: Record<string, number>;
  errors: Record<string, number>;
  latency: Record<'heartbeat' | 'posture' | 'events' | 'goodbye' | 'enroll', ReturnType<Fleet['stats']['window']['toJSON']>>;
  window: ReturnType<Fleet['stats']['window']['toJSON']>;
  queued: number;
  counters: { postureChanges: number; wentOffline: number; needPosture: number; seqResynced: number; sessionsOpened: number; sessionsReopened: number };
  loop: { p99Ms: number; maxMs: number };
}

export type FromChild =
  | { type: 'ready'; agents: number }
  | { type: 'snapshot'; snapshot: ChildSnapshot }
  | { type: 'resetDone' }
  | { type: 'stopped'; lastSequences: [number, number][]; snapshot: ChildSnapshot }
  | { type: 'failed'; message: string }
  | { type: 'log'; line: string };

const send = (m: FromChild) => process.send!(m);
let fleet: Fleet | undefined;
let timer: NodeJS.Timeout | undefined;
const loop = monitorEventLoopDelay({ resolution: 10 });

function snapshot(f: Fleet): ChildSnapshot {
  const s = f.stats;
  return {
    sent: { ...s.sent },
    accepted: { ...s.accepted },
    errors: { ...s.errors },
    latency: {
      heartbeat: s.latency.heartbeat.toJSON(),
      posture: s.latency.posture.toJSON(),
      events: s.latency.events.toJSON(),
      goodbye: s.latency.goodbye.toJSON(),
      enroll: s.latency.enroll.toJSON(),
    },
    window: s.window.toJSON(),
    queued: f.queued,
    counters: {
      postureChanges: s.postureChanges,
      wentOffline: s.wentOffline,
      needPosture: s.needPosture,
      seqResynced: s.seqResynced,
      sessionsOpened: s.sessionsOpened,
      sessionsReopened: s.sessionsReopened,
    },
    loop: { p99Ms: loop.percentile(99) / 1e6, maxMs: loop.max / 1e6 },
  };
}

process.on('message', (m: ToChild) => {
  void (async () => {
    try {
      if (m.type === 'run') {
        fleet = new Fleet({ ...m.options, log: (line) => send({ type: 'log', line }) });
        await fleet.enroll();
        fleet.start();
        loop.enable();
        timer = setInterval(() => send({ type: 'snapshot', snapshot: snapshot(fleet!) }), 1000);
        send({ type: 'ready', agents: fleet.agents.length });
      } else if (m.type === 'resetLatency') {
        fleet?.stats.resetLatency();
        loop.reset();
        send({ type: 'resetDone' });
      } else if (m.type === 'resetWindow') {
        fleet?.stats.window.reset();
      } else if (m.type === 'snapshot') {
        if (fleet) send({ type: 'snapshot', snapshot: snapshot(fleet) });
      } else if (m.type === 'stop') {
        clearInterval(timer);
        await fleet?.stop({ goodbye: m.goodbye });
        // Disconnect only once the answer is written: it carries every agent's last sequence number (about
        // 500 KB for 25,000 agents), and a channel closed at once dropped it, so the next run's reports were
        // refused as replays until each agent had resynchronised.
        process.send!({ type: 'stopped', lastSequences: fleet?.lastSequences() ?? [], snapshot: snapshot(fleet!) } satisfies FromChild, () => process.disconnect());
      }
    } catch (err) {
      send({ type: 'failed', message: (err as Error).stack ?? String(err) });
    }
  })();
});
