// Audit records for agent enrollment: successes from the collector's 'enrolled' event (which carries the
// client address), refused attempts (bad, expired, used-up token; bad proof) from the route's
// errors. Junk that fails schema validation is counted in /metrics, not audited.
import type { FastifyInstance } from 'fastify';
import { auditLog } from '../audit/index.js';
import { DomainError } from '../fleet/errors.js';
import type { CollectorService } from '../service.js';

export function registerAuditHooks(app: FastifyInstance, service: CollectorService): void {
  const audit = auditLog(service.store);
  service.on('enrolled', (e) => {
    try {
      audit.record({
        action: 'agent.enroll',
        actor: { type: 'agent', id: e.agentId, name: e.hostname },
        ip: e.ip,
        target: { type: 'agent', id: e.agentId },
        unitIds: [e.unitId],
        details: { hostname: e.hostname },
      });
    } catch (err) {
      service.log.error({ err }, 'could not write the audit record of an enrollment');
    }
  });
  app.addHook('onError', async (req, _reply, err) => {
    if (req.routeOptions.url !== '/api/v1/enroll' || !(err instanceof DomainError)) return;
    audit.record({ action: 'agent.enroll', actor: { type: 'agent', name: 'unenrolled' }, ip: req.ip, outcome: 'failure', details: { reason: err.code } });
  });
}
