// Reading the audit log (admins and auditors, records about units in their scope) and checking its chain.
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { ErrorBody } from '../../../protocol/index.js';
import { auditLog } from '../../audit/index.js';
import type { CollectorService } from '../../service.js';
import { callerScope, requireRole } from '../auth-hooks.js';

const Query = Type.Object(
  {
    action: Type.Optional(Type.String({ maxLength: 64 })),
    // Query values arrive as text (the app does not coerce types): digits, converted below.
    beforeSeq: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,15}$' })),
    limit: Type.Optional(Type.String({ pattern: '^([1-9][0-9]{0,2}|1000)$', description: '1-1000' })),
  },
  { additionalProperties: false },
);
const RecordView = Type.Object({
  seq: Type.Integer(),
  at: Type.String(),
  actor: Type.Object({ type: Type.String(), id: Type.Union([Type.String(), Type.Null()]), name: Type.String(), role: Type.Union([Type.String(), Type.Null()]) }),
  ip: Type.Union([Type.String(), Type.Null()]),
  action: Type.String(),
  target: Type.Union([Type.Object({ type: Type.String(), id: Type.String() }), Type.Null()]),
  unitIds: Type.Array(Type.String()),
  outcome: Type.String(),
  details: Type.Record(Type.String(), Type.Unknown()),
  hash: Type.String(),
});
const Verdict = Type.Object({
  ok: Type.Boolean(),
  records: Type.Integer(),
  headHash: Type.Optional(Type.String()),
  firstBadSeq: Type.Optional(Type.Integer()),
  problem: Type.Optional(Type.String()),
});

export async function auditRoutes(app: FastifyInstance, opts: { service: CollectorService }) {
  const { service } = opts;
  const readers = requireRole(service, ['auditor']);
  app.get(
    '/audit',
    { schema: { tags: ['audit'], summary: 'Audit records about my units, newest first', querystring: Query, response: { 200: Type.Object({ items: Type.Array(RecordView) }), '4xx': ErrorBody } }, preHandler: readers },
    async (req) => {
      const q = req.query as { action?: string; beforeSeq?: string; limit?: string };
      const scope = callerScope(service, req);
      // Someone whose scope is the whole tree also sees records about no unit (e.g. failed logins).
      const whole = scope.length === service.store.units.list().length;
      return {
        items: auditLog(service.store).list({
          action: q.action,
          beforeSeq: q.beforeSeq ? Number(q.beforeSeq) : undefined,
          limit: q.limit ? Number(q.limit) : 100,
          unitIds: whole ? undefined : scope,
        }),
      };
    },
  );
  app.get(
    '/audit/verify',
    { schema: { tags: ['audit'], summary: 'Recompute the hash chain; names the first bad record', response: { 200: Verdict, '4xx': ErrorBody } }, preHandler: readers },
    async () => auditLog(service.store).verify(),
  );
}
