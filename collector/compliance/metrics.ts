// Compliance metrics on the collector's registry, read at scrape time. A fleet-wide re-evaluation takes minutes
// at 100,000 agents, and until it ends some findings are of the previous policy: a monitoring system should see
// that it runs and that it moves.
import { Gauge, type Registry } from 'prom-client';
import type { ComplianceService } from './service.js';

export function registerComplianceMetrics(registry: Registry, compliance: Pick<ComplianceService, 'reevaluationProgress'>): void {
  new Gauge({
    name: 'soclite_policy_reevaluation_remaining_agents',
    help: 'Agents a fleet-wide re-evaluation (after a policy or attestation change) has yet to visit; 0 when none runs',
    registers: [registry],
    collect() {
      const p = compliance.reevaluationProgress;
      this.set(p ? p.total - p.done : 0);
    },
  });
}
