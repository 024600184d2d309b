// Exponential backoff with full jitter (delay = random(0, min(cap, base * 2^n))): after an outage, many
// collectors and destinations retry spread out instead of in lock-step.

export function fullJitterDelay(failures: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  if (failures <= 0) return 0;
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(failures - 1, 52));
  return Math.floor(random() * ceiling);
}
