// Operator actions on one agent: retirement (the machine left service or its key is distrusted).
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { ErrorBody } from '../../../protocol/index.js';
import { reject } from '../../fleet/errors.js';
import { retireAgent } from '../../store/agent-retirement.js';
import { auditLog } from '../../audit/index.js';
import type { CollectorService } from '../../service.js';
import { callerScope, requireRole, requestActor } from '../auth-hooks.js';

const RetireBody = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 500 }) }, { additionalProperties: false });

export async function agentAdminRoutes(app: FastifyInstance, opts: { service: CollectorService }) {
  const { service } = opts;
  app.post(
    '/agents/:id/retire',
    {
      schema: {
        tags: ['agents'],
        summary: 'Retire an agent: it may never report again; its history stays',
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        body: RetireBody,
        response: { 200: Type.Object({ id: Type.String(), state: Type.Literal('retired'), retiredAt: Type.String() }), '4xx': ErrorBody },
      },
      preHandler: requireRole(service, ['it_staff']),
    },
    async (req) => {
      const { id } = req.params as { id: string };
      const { reason } = req.body as { reason: string };
      const agent = service.store.agents.get(id);
      if (!agent || !callerScope(service, req).includes(agent.unitId)) throw reject(404, 'unknown_agent', `no agent ${id}`);
      if (agent.retiredAt) throw reject(409, 'already_retired', `agent ${id} was retired at ${agent.retiredAt}`);
      const at = new Date().toISOString();
      const stateReason = `retired by ${req.principal!.user.username}: ${reason}`;
      service.store.transaction(() => {
        if (!retireAgent(service.store.db, id, stateReason, at)) throw reject(409, 'already_retired', `agent ${id} is already retired`);
        auditLog(service.store).record({
          by: requestActor(req),
          action: 'agent.retire',
          target: { type: 'agent', id },
          unitIds: [agent.unitId],
          details: { hostname: agent.hostname, reason },
        });
      });
      service.emit('stateChanged', { agentId: id, from: agent.state, to: 'retired', reason: stateReason });
      return { id, state: 'retired' as const, retiredAt: at };
    },
  );
}
