// The agent's timers: each interval is jittered, so agents put in step (a collector restart, a shared
// backlog, machines started together) drift apart instead of reporting together for good. The simulator
// (scripts/simulate/fleet.ts) times its virtual agents with the same rule and a seeded random source.

/** `ms` moved at random by up to ±`fraction` (10 %). */
export function jitter(ms: number, random: () => number = Math.random, fraction = 0.1): number {
  return ms * (1 - fraction + random() * 2 * fraction);
}

/**
 * When a timer that was due at `due` is due next: one jittered interval on from `due`, not from `now`. A
 * report held up (a slow collector, a busy simulator) is late, but the ones after it keep their time, as the
 * agent's own timers do (agent/run.ts re-arms a timer when it fires, before anything is sent). Intervals
 * missed entirely are skipped, as the agent's outbox keeps one heartbeat, not a backlog of them.
 */
export function nextDue(due: number, intervalMs: number, now: number, random: () => number = Math.random): number {
  let next = due + jitter(intervalMs, random);
  while (next <= now) next += jitter(intervalMs, random);
  return next;
}
