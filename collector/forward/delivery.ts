// The forwarder: fans each alert out to the destinations whose filters it passes (durably, in the caller's
// transaction), then one loop per destination claims batches oldest-first, hands them to the sink, and marks
// them delivered only after the sink confirms. Failures back off exponentially with full jitter; the next
// attempt time is stored on the rows, so backoff survives a restart. At-least-once: a crash between send and
// acknowledgement resends the batch, with the same event ids.
import type { Registry } from 'prom-client';
import { fullJitterDelay } from './backoff.js';
import type { DestinationConfig } from './config.js';
import type { ProducerInfo } from './encoders/render.js';
import { passesFilters } from './filters.js';
import { ForwardMetrics } from './metrics.js';
import type { ForwardQueue } from './queue.js';
import { createSink } from './sinks/factory.js';
import type { Sink } from './sinks/sink.js';
import type { ForwardEvent } from './types.js';
import { assertForwardEvent } from './validate.js';

export interface ForwardLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface DeliveryEngineOptions {
  queue: ForwardQueue;
  destinations: readonly DestinationConfig[];
  registry: Registry;
  producer: ProducerInfo;
  /** Sinks by destination name; built from the configuration when absent (tests inject their own). */
  sinks?: ReadonlyMap<string, Sink>;
  logger?: ForwardLogger;
  now?: () => number;
  random?: () => number;
  /** How often an idle loop looks for due rows it was not woken for (e.g. rows whose backoff expired). */
  idlePollMs?: number;
  /** Lease on claimed rows: how long a batch may be in flight before another claim may take it. */
  leaseMs?: number;
}

interface Lane {
  config: DestinationConfig;
  sink: Sink;
  failures: number;
  /** True while waiting out a backoff: new events do not wake the lane, only stop() does. */
  backingOff: boolean;
  /** When the failed batch is due again (epoch ms): after the backoff it is claimed as of at least then. */
  retryAt: number;
  wake: (() => void) | null;
  done: Promise<void> | null;
  lastError: string | null;
  lastErrorAt: number | null;
  lastSuccessAt: number | null;
}

/** What an operator needs to see per destination: is it delivering, how far behind, and the last error. */
export interface DestinationHealth {
  name: string;
  type: string;
  format: string;
  queueDepth: number;
  oldestUndeliveredAgeSec: number;
  consecutiveFailures: number;
  backingOff: boolean;
  lastSuccessAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
}

const silentLogger: ForwardLogger = { info: () => undefined, warn: () => undefined };

export class DeliveryEngine {
  readonly metrics: ForwardMetrics;
  private readonly lanes = new Map<string, Lane>();
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly logger: ForwardLogger;
  private readonly idlePollMs: number;
  private readonly leaseMs: number;
  private running = false;

  constructor(private readonly opts: DeliveryEngineOptions) {
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
    this.logger = opts.logger ?? silentLogger;
    this.idlePollMs = opts.idlePollMs ?? 1000;
    this.leaseMs = opts.leaseMs ?? 120_000;
    const enabled = opts.destinations.filter((d) => d.enabled !== false);
    for (const d of enabled) {
      const sink = opts.sinks?.get(d.name) ?? createSink(d, opts.producer);
      this.lanes.set(d.name, { config: d, sink, failures: 0, backingOff: false, retryAt: 0, wake: null, done: null, lastError: null, lastErrorAt: null, lastSuccessAt: null });
    }
    this.metrics = new ForwardMetrics(opts.registry, opts.queue, [...this.lanes.keys()], this.now);
  }

  /**
   * Queue an event for every destination whose filters it passes. Synchronous: call it inside the same
   * database transaction that records the alert, so both commit or neither does. Returns the destinations.
   */
  enqueue(event: ForwardEvent): string[] {
    assertForwardEvent(event);
    const now = this.now();
    const chosen: string[] = [];
    for (const [name, lane] of this.lanes) {
      if (!passesFilters(event, lane.config)) continue;
      const result = this.opts.queue.enqueue(name, event, now, {
        maxQueue: lane.config.maxQueue ?? 1_000_000,
        overflow: lane.config.overflow ?? 'drop_oldest',
      });
      if (result.dropped > 0) {
        this.metrics.dropped.inc({ destination: name, reason: 'queue_full' }, result.dropped);
        this.logger.warn({ destination: name, dropped: result.dropped, maxQueue: lane.config.maxQueue }, 'forwarder queue full: events dropped');
      }
      chosen.push(name);
    }
    // Wake after the caller's transaction has had the chance to commit (better-sqlite3 transactions are
    // synchronous, so they are done before any queued callback runs).
    if (this.running && chosen.length > 0) {
      setImmediate(() => {
        for (const n of chosen) {
          const lane = this.lanes.get(n);
          if (lane && !lane.backingOff) lane.wake?.();
        }
      });
    }
    return chosen;
  }

  health(): DestinationHealth[] {
    const now = this.now();
    const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
    return [...this.lanes].map(([name, lane]) => {
      const oldest = this.opts.queue.oldestEnqueuedAt(name);
      return {
        name,
        type: lane.config.type,
        format: lane.config.format,
        queueDepth: this.opts.queue.depth(name),
        oldestUndeliveredAgeSec: oldest === null ? 0 : Math.max(0, (now - oldest) / 1000),
        consecutiveFailures: lane.failures,
        backingOff: lane.backingOff,
        lastSuccessAt: iso(lane.lastSuccessAt),
        lastError: lane.lastError,
        lastErrorAt: iso(lane.lastErrorAt),
      };
    });
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    // Leases held by a previous process (killed mid-send) are void: that process is gone.
    this.opts.queue.releaseClaims();
    for (const [name, lane] of this.lanes) lane.done = this.run(name, lane);
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const lane of this.lanes.values()) lane.wake?.();
    await Promise.all([...this.lanes.values()].map((l) => l.done));
    await Promise.all([...this.lanes.values()].map((l) => l.sink.close()));
  }

  private sleep(lane: Lane, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        lane.wake = null;
        resolve();
      }, Math.max(0, ms));
      lane.wake = () => {
        clearTimeout(timer);
        lane.wake = null;
        resolve();
      };
    });
  }

  private async run(name: string, lane: Lane): Promise<void> {
    const { queue } = this.opts;
    const batchSize = lane.config.batchSize ?? 500;
    while (this.running) {
      // A backoff timer measures from the event loop's cached clock, which can be milliseconds behind Date.now()
      // when the loop is busy: it may end just before the failed batch is due, and the newer events behind it
      // would be sent first. Claiming as of the retry time keeps the destination's events in order.
      const now = Math.max(this.now(), lane.retryAt);
      const batch = queue.claim(name, batchSize, now, now + this.leaseMs);
      if (batch.length === 0) {
        const due = queue.nextDueAt(name);
        await this.sleep(lane, due === null ? this.idlePollMs : Math.min(this.idlePollMs, due - now));
        continue;
      }
      const ids = batch.map((b) => b.id);
      try {
        const report = await lane.sink.send(batch.map((b) => b.event));
        queue.markDelivered(ids);
        const done = this.now();
        this.metrics.sent.inc({ destination: name }, batch.length);
        if (report.truncated > 0) this.metrics.truncated.inc({ destination: name }, report.truncated);
        this.metrics.lastSuccess.set({ destination: name }, done / 1000);
        for (const b of batch) this.metrics.latency.observe({ destination: name }, Math.max(0, done - b.enqueuedAt) / 1000);
        if (lane.failures > 0) this.logger.info({ destination: name, afterFailures: lane.failures }, 'forwarder destination reachable again');
        lane.failures = 0;
        lane.lastSuccessAt = done;
      } catch (err) {
        lane.failures++;
        const delay = fullJitterDelay(lane.failures, lane.config.backoffBaseMs ?? 1000, lane.config.backoffCapMs ?? 300_000, this.random);
        const message = err instanceof Error ? err.message : String(err);
        lane.lastError = message.slice(0, 500);
        lane.lastErrorAt = this.now();
        lane.retryAt = this.now() + delay;
        queue.markFailed(ids, lane.retryAt, message);
        this.metrics.failed.inc({ destination: name }, batch.length);
        this.logger.warn({ destination: name, events: batch.length, failures: lane.failures, retryInMs: delay, error: message }, 'forwarder delivery failed');
        // Wait out the backoff even if new events arrive: the destination is down, hammering it helps nobody.
        lane.backingOff = true;
        await this.sleep(lane, delay);
        lane.backingOff = false;
      }
    }
  }
}
