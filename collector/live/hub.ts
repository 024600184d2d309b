// Fan-out of deltas to connected dashboards. Each connection sees only deltas of its units, numbered by its
// own sequence (1, 2, 3 ... with no holes), so a client that sees a hole knows it missed something and
// re-fetches. Deltas are coalesced: a connection gets at most one message per interval, and when more piled
// up than a page could use it gets a single "resync" instead of a flood.
import type { Delta, ScopedDelta } from './deltas.js';

export interface LiveMessage {
  seq: number;
  deltas?: Delta[];
  /** Too much changed at once: re-fetch every snapshot. */
  resync?: true;
}

export interface LiveSubscriber {
  /** Units this viewer may see. */
  canSee(unitId: string): boolean;
  send(msg: LiveMessage): void;
}

export interface HubOptions {
  /** At most one message per subscriber per this many ms (coalescing bound). */
  minIntervalMs: number;
  /** A first delta after a quiet period waits this long for company before going out. */
  gatherMs: number;
  /** More pending deltas than this become one resync message. */
  maxBatch: number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (t: unknown) => void;
  now?: () => number;
}

interface Slot {
  sub: LiveSubscriber;
  seq: number;
  pending: Delta[];
  overflow: boolean;
  timer: unknown;
  lastSentAt: number;
}

export class LiveHub {
  private readonly slots = new Map<LiveSubscriber, Slot>();
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (t: unknown) => void;
  private readonly now: () => number;

  constructor(private readonly o: HubOptions) {
    this.setTimer = o.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = o.clearTimer ?? ((t) => clearTimeout(t as NodeJS.Timeout));
    this.now = o.now ?? Date.now;
  }

  get size(): number {
    return this.slots.size;
  }

  add(sub: LiveSubscriber): void {
    this.slots.set(sub, { sub, seq: 0, pending: [], overflow: false, timer: undefined, lastSentAt: -Infinity });
  }

  remove(sub: LiveSubscriber): void {
    const s = this.slots.get(sub);
    if (s?.timer !== undefined) this.clearTimer(s.timer);
    this.slots.delete(sub);
  }

  publish(d: ScopedDelta): void {
    for (const s of this.slots.values()) {
      if (d.unitId !== null && !s.sub.canSee(d.unitId)) continue;
      if (s.pending.length >= this.o.maxBatch) s.overflow = true;
      else s.pending.push(d.delta);
      this.schedule(s);
    }
  }

  private schedule(s: Slot): void {
    if (s.timer !== undefined) return;
    const wait = Math.max(this.o.gatherMs, s.lastSentAt + this.o.minIntervalMs - this.now());
    s.timer = this.setTimer(() => this.flush(s), wait);
  }

  private flush(s: Slot): void {
    s.timer = undefined;
    if (!this.slots.has(s.sub)) return;
    if (!s.pending.length && !s.overflow) return;
    const msg: LiveMessage = s.overflow ? { seq: ++s.seq, resync: true } : { seq: ++s.seq, deltas: s.pending };
    s.pending = [];
    s.overflow = false;
    s.lastSentAt = this.now();
    s.sub.send(msg);
  }

  close(): void {
    for (const s of this.slots.values()) if (s.timer !== undefined) this.clearTimer(s.timer);
    this.slots.clear();
  }
}
