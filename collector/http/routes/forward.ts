// SOC forwarder health for operators: per destination, how many events wait, how old the oldest is, whether it
// is backing off, and the last error. The same figures are in /metrics; this is the dashboard's view.
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { ErrorBody } from '../../../protocol/index.js';
import type { CollectorService } from '../../service.js';
import { requireRole } from '../auth-hooks.js';

const Health = Type.Object({
  name: Type.String(),
  type: Type.String(),
  format: Type.String(),
  queueDepth: Type.Integer(),
  oldestUndeliveredAgeSec: Type.Number(),
  consecutiveFailures: Type.Integer(),
  backingOff: Type.Boolean(),
  lastSuccessAt: Type.Union([Type.String(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
  lastErrorAt: Type.Union([Type.String(), Type.Null()]),
});

export async function forwardRoutes(app: FastifyInstance, opts: { service: CollectorService }) {
  const { service } = opts;
  app.get(
    '/forward/destinations',
    {
      schema: {
        tags: ['forward'],
        summary: 'SOC/SIEM destinations and their delivery health',
        response: { 200: Type.Array(Health), '4xx': ErrorBody },
      },
      // Destination names and errors describe the organisation's SOC set-up: for the people who run it.
      preHandler: requireRole(service, ['it_staff', 'incident_responder']),
    },
    async () => service.forwardHealth?.() ?? [],
  );
}
