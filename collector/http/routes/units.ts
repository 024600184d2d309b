// The organisation tree as the caller sees it (their units and everything below), and adding units under a
// unit in scope (admins and IT staff).
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { ErrorBody } from '../../../protocol/index.js';
import { auditLog } from '../../audit/index.js';
import { reject } from '../../fleet/errors.js';
import type { CollectorService } from '../../service.js';
import { callerScope, requireRole, requestActor } from '../auth-hooks.js';

const UnitView = Type.Object({ id: Type.String(), name: Type.String(), parentId: Type.Union([Type.String(), Type.Null()]), defaultLevel: Type.Integer() });
const CreateBody = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{1,63}$', description: 'short stable id: a-z, 0-9, dash, underscore' }),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    parentId: Type.String({ minLength: 1, maxLength: 64 }),
    defaultLevel: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
  },
  { additionalProperties: false },
);

export async function unitRoutes(app: FastifyInstance, opts: { service: CollectorService }) {
  const { service } = opts;
  app.get(
    '/units',
    { schema: { tags: ['units'], summary: 'Units in my scope (a tree by parentId)', response: { 200: Type.Object({ items: Type.Array(UnitView) }), '4xx': ErrorBody } }, preHandler: requireRole(service) },
    async (req) => {
      const scope = new Set(callerScope(service, req));
      // A unit whose parent is out of scope is a root of what this caller sees.
      return { items: service.store.units.list().filter((u) => scope.has(u.id)).map((u) => ({ ...u, parentId: u.parentId && scope.has(u.parentId) ? u.parentId : null })) };
    },
  );
  app.post(
    '/units',
    { schema: { tags: ['units'], summary: 'Add a unit under a unit in my scope', body: CreateBody, response: { 201: UnitView, '4xx': ErrorBody } }, preHandler: requireRole(service, ['it_staff']) },
    async (req, reply) => {
      const b = req.body as { id: string; name: string; parentId: string; defaultLevel?: number };
      if (!callerScope(service, req).includes(b.parentId)) throw reject(404, 'unknown_unit', `no unit "${b.parentId}" in your scope`);
      if (service.store.units.get(b.id)) throw reject(409, 'unit_exists', `unit "${b.id}" already exists`);
      const unit = { id: b.id, name: b.name, parentId: b.parentId, defaultLevel: b.defaultLevel ?? 1 };
      service.store.transaction(() => {
        service.store.units.create(unit);
        auditLog(service.store).record({ by: requestActor(req), action: 'unit.create', target: { type: 'unit', id: unit.id }, unitIds: [unit.id, unit.parentId], details: { name: unit.name, parentId: unit.parentId, defaultLevel: unit.defaultLevel } });
      });
      return reply.status(201).send(unit);
    },
  );
}
