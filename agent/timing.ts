// The agent's timers: each interval is jittered, so agents put in step (a collector restart, a shared
// backlog, machines started together) drift apart instead of reporting together for good. The simulator
// (scripts/simulate/fleet.ts) times its virtual agents with the same rule and a seeded random source.

/** `ms` moved at random by up to ±`fraction` (10 %). */
export function jitter(ms: number, random: () => number = Math.random, fraction = 0.1): number {
  return ms * (1 - fraction + random() * 2 * fraction);
}
