// Exponential backoff with full jitter (AWS architecture blog's "full jitter"): after n failures wait a random
// time in [0, min(cap, base * 2^n)], so thousands of agents do not return in lockstep after an outage.
export function backoffDelay(failures: number, baseMs = 1000, capMs = 60_000, random = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(failures, 30));
  return Math.max(baseMs / 2, random() * ceiling);
}
