// Background threads (the read worker's aggregates, the WAL checkpointer) run below normal priority, so on a
// small machine they take the CPU the event loop leaves over instead of delaying agents' reports. Measured:
// a 20 s compliance-trend refresh at 100,000 agents on the read worker pushed the agents' p99 past 600 ms
// while it ran, with the collector at 35 % of one core. Linux gives each thread its own nice value, and
// setpriority(PRIO_PROCESS, tid) (os.setPriority) sets it for the calling thread alone.
// Self-contained: workers receive it as source (worker-source.ts).
export function lowerThreadPriority(nice: number): string | undefined {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { readlinkSync } = require('node:fs') as typeof import('node:fs');
  const os = require('node:os') as typeof import('node:os');
  /* eslint-enable @typescript-eslint/no-require-imports */
  try {
    // "/proc/thread-self" links to "<pid>/task/<tid>" (Linux only).
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    os.setPriority(tid, nice);
    return undefined;
  } catch (err) {
    return `thread priority unchanged: ${(err as Error).message}`;
  }
}

/** The nice value of background threads: below the event loop, still well above idle. */
export const BACKGROUND_NICE = 10;
