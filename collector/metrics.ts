// Prometheus metrics of the collector (prom-client). One registry per collector instance so tests can run
// several collectors in one process without their numbers mixing.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { LIVENESS_STATES } from './fleet/types.js';

export interface CollectorMetrics {
  registry: Registry;
  agentsByState: Gauge<'state'>;
  reportsIngested: Counter<'kind'>;
  ingestDuration: Histogram<'kind'>;
  rejected: Counter<'reason'>;
  enrollments: Counter;
}

export function createMetrics(countAgentsByState: () => Record<string, number>): CollectorMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'soclite_process_' });
  const agentsByState = new Gauge({
    name: 'soclite_agents',
    help: 'Enrolled agents by liveness state',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const counts = countAgentsByState();
      for (const s of LIVENESS_STATES) this.set({ state: s }, counts[s] ?? 0);
    },
  });
  return {
    registry,
    agentsByState,
    reportsIngested: new Counter({
      name: 'soclite_reports_ingested_total',
      help: 'Agent reports committed, by kind',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    ingestDuration: new Histogram({
      name: 'soclite_ingest_duration_seconds',
      help: 'Time from request received to report committed, by kind',
      labelNames: ['kind'] as const,
      // Fine around the 50 ms p99 target (BENCHMARKS.md), so a quantile read from the buckets says which side of it.
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.015, 0.02, 0.03, 0.04, 0.05, 0.075, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    }),
    rejected: new Counter({
      name: 'soclite_requests_rejected_total',
      help: 'Requests refused, by reason code',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    enrollments: new Counter({ name: 'soclite_enrollments_total', help: 'Agents enrolled', registers: [registry] }),
  };
}
