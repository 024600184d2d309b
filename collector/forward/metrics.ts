// Per-destination forwarder metrics, on the Registry the caller passes in. Queue depth and lag are read from
// the queue at scrape time (no background drift); counters count events, not batches. Only the destination
// name is a label: bounded by configuration.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { ForwardQueue } from './queue.js';

export class ForwardMetrics {
  readonly sent: Counter<'destination'>;
  readonly failed: Counter<'destination'>;
  readonly dropped: Counter<'destination' | 'reason'>;
  readonly truncated: Counter<'destination'>;
  readonly lastSuccess: Gauge<'destination'>;
  readonly latency: Histogram<'destination'>;

  constructor(registry: Registry, queue: ForwardQueue, destinations: readonly string[], now: () => number = Date.now) {
    const registers = [registry];
    new Gauge({
      name: 'soclite_forwarder_queue_events',
      help: 'Events waiting in the forwarder outbox, per destination',
      labelNames: ['destination'],
      registers,
      collect() {
        for (const d of destinations) this.set({ destination: d }, queue.depth(d));
      },
    });
    new Gauge({
      name: 'soclite_forwarder_oldest_event_age_seconds',
      help: 'Age of the oldest undelivered event, per destination (0 when the queue is empty)',
      labelNames: ['destination'],
      registers,
      collect() {
        for (const d of destinations) {
          const oldest = queue.oldestEnqueuedAt(d);
          this.set({ destination: d }, oldest === null ? 0 : Math.max(0, (now() - oldest) / 1000));
        }
      },
    });
    this.sent = new Counter({ name: 'soclite_forwarder_events_sent_total', help: 'Events delivered, per destination', labelNames: ['destination'], registers });
    this.failed = new Counter({
      name: 'soclite_forwarder_events_failed_total',
      help: 'Event delivery attempts that failed and will be retried, per destination',
      labelNames: ['destination'],
      registers,
    });
    this.dropped = new Counter({
      name: 'soclite_forwarder_events_dropped_total',
      help: 'Events discarded without delivery (reason queue_full: the bounded outbox overflowed), per destination',
      labelNames: ['destination', 'reason'],
      registers,
    });
    this.truncated = new Counter({
      name: 'soclite_forwarder_events_truncated_total',
      help: 'Events delivered with their message cut to the transport size limit, per destination',
      labelNames: ['destination'],
      registers,
    });
    this.lastSuccess = new Gauge({
      name: 'soclite_forwarder_last_success_timestamp_seconds',
      help: 'Unix time of the last successful delivery, per destination',
      labelNames: ['destination'],
      registers,
    });
    this.latency = new Histogram({
      name: 'soclite_forwarder_delivery_latency_seconds',
      help: 'Time from enqueue to confirmed delivery, per destination',
      labelNames: ['destination'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 15, 60, 300, 3600],
      registers,
    });
    for (const d of destinations) {
      this.sent.inc({ destination: d }, 0);
      this.failed.inc({ destination: d }, 0);
      this.dropped.inc({ destination: d, reason: 'queue_full' }, 0);
    }
  }
}
