// Latency histogram with ~2 % resolution and fixed memory: percentiles of millions of requests without keeping
// every sample. Buckets are logarithmic from 10 µs to ~100 s.
const GROWTH = 1.02;
const MIN_US = 10;
const BUCKETS = Math.ceil(Math.log(1e8 / MIN_US) / Math.log(GROWTH)) + 1;

export class LatencyHistogram {
  private readonly counts = new Float64Array(BUCKETS);
  count = 0;
  private sumMs = 0;
  maxMs = 0;

  record(ms: number): void {
    const us = Math.max(MIN_US, ms * 1000);
    const b = Math.min(BUCKETS - 1, Math.floor(Math.log(us / MIN_US) / Math.log(GROWTH)));
    this.counts[b]!++;
    this.count++;
    this.sumMs += ms;
    if (ms > this.maxMs) this.maxMs = ms;
  }

  merge(other: LatencyHistogram): void {
    for (let i = 0; i < BUCKETS; i++) this.counts[i]! += other.counts[i]!;
    this.count += other.count;
    this.sumMs += other.sumMs;
    this.maxMs = Math.max(this.maxMs, other.maxMs);
  }

  /** The p-th percentile in milliseconds (upper edge of its bucket), or NaN when empty. */
  percentile(p: number): number {
    if (this.count === 0) return NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(this.maxMs, (MIN_US * GROWTH ** (i + 1)) / 1000);
    }
    return this.maxMs;
  }

  meanMs(): number {
    return this.count ? this.sumMs / this.count : NaN;
  }

  /** Plain data, to send to another process (fleet-group.ts). */
  toJSON(): { counts: number[]; count: number; sumMs: number; maxMs: number } {
    return { counts: Array.from(this.counts), count: this.count, sumMs: this.sumMs, maxMs: this.maxMs };
  }

  static fromJSON(d: { counts: number[]; count: number; sumMs: number; maxMs: number }): LatencyHistogram {
    const h = new LatencyHistogram();
    h.counts.set(d.counts.slice(0, BUCKETS));
    h.count = d.count;
    h.sumMs = d.sumMs;
    h.maxMs = d.maxMs;
    return h;
  }

  reset(): void {
    this.counts.fill(0);
    this.count = 0;
    this.sumMs = 0;
    this.maxMs = 0;
  }
}
