// Tokens: enrollment tokens for units (IT staff and admins, units in their scope) and API tokens for people's
// automation (admins, for users in their scope). A secret is shown once, in the creation answer, and is
// stored only as its SHA-256.
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { ErrorBody } from '../../../protocol/index.js';
import { createEnrollmentToken } from '../../fleet/tokens.js';
import { createApiToken } from '../../auth/service.js';
import { allWithin } from '../../auth/scope.js';
import { auditLog } from '../../audit/index.js';
import { reject } from '../../fleet/errors.js';
import type { CollectorService } from '../../service.js';
import { callerScope, requireRole, requestActor } from '../auth-hooks.js';
import { ADMIN_ONLY, managedUser } from './users.js';

const EnrollmentTokenView = Type.Object({
  id: Type.String(),
  unitId: Type.String(),
  createdAt: Type.String(),
  expiresAt: Type.String(),
  maxUses: Type.Integer(),
  uses: Type.Integer(),
  revoked: Type.Boolean(),
});
const CreateEnrollmentBody = Type.Object(
  {
    unit: Type.String({ minLength: 1, maxLength: 64 }),
    ttlHours: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 24 * 366 })),
    maxUses: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000 })),
  },
  { additionalProperties: false },
);
const ApiTokenView = Type.Object({
  id: Type.String(),
  userId: Type.String(),
  name: Type.String(),
  createdAt: Type.String(),
  expiresAt: Type.String(),
  unitIds: Type.Union([Type.Array(Type.String()), Type.Null()]),
  revokedAt: Type.Union([Type.String(), Type.Null()]),
});
const CreateApiTokenBody = Type.Object(
  {
    userId: Type.String({ minLength: 1, maxLength: 64 }),
    name: Type.String({ minLength: 1, maxLength: 100 }),
    ttlDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 366 })),
    unitIds: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 100 })),
  },
  { additionalProperties: false },
);

export async function tokenRoutes(app: FastifyInstance, opts: { service: CollectorService }) {
  const { service } = opts;
  const audit = auditLog(service.store);
  const staff = requireRole(service, ['it_staff']);
  const admin = requireRole(service, ADMIN_ONLY);

  app.get(
    '/tokens',
    { schema: { tags: ['tokens'], summary: 'Enrollment tokens of my units (no secrets)', response: { 200: Type.Object({ items: Type.Array(EnrollmentTokenView) }), '4xx': ErrorBody } }, preHandler: staff },
    async (req) => {
      const scope = new Set(callerScope(service, req));
      return { items: service.store.tokens.list().filter((t) => scope.has(t.unitId)) };
    },
  );

  app.post(
    '/tokens',
    {
      schema: {
        tags: ['tokens'],
        summary: 'Create an enrollment token for a unit (the secret is in this answer only)',
        body: CreateEnrollmentBody,
        response: { 201: Type.Object({ ...EnrollmentTokenView.properties, token: Type.String() }), '4xx': ErrorBody },
      },
      preHandler: staff,
    },
    async (req, reply) => {
      const b = req.body as { unit: string; ttlHours?: number; maxUses?: number };
      // Out of scope looks exactly like absent, so unit ids of other branches cannot be probed.
      if (!callerScope(service, req).includes(b.unit)) throw reject(404, 'unknown_unit', `no unit "${b.unit}" in your scope`);
      const p = req.principal!;
      const t = service.store.transaction(() => {
        const created = createEnrollmentToken(service.store, { unitId: b.unit, ttlHours: b.ttlHours, maxUses: b.maxUses, createdBy: `user:${p.user.username}` });
        audit.record({
          by: requestActor(req),
          action: 'enrollment_token.create',
          target: { type: 'enrollment_token', id: created.id },
          unitIds: [created.unitId],
          details: { expiresAt: created.expiresAt, maxUses: created.maxUses },
        });
        return created;
      });
      return reply.status(201).send({ id: t.id, unitId: t.unitId, createdAt: new Date().toISOString(), expiresAt: t.expiresAt, maxUses: t.maxUses, uses: 0, revoked: false, token: t.token });
    },
  );

  app.get(
    '/api-tokens',
    { schema: { tags: ['tokens'], summary: 'API tokens of users in my scope (no secrets)', response: { 200: Type.Object({ items: Type.Array(ApiTokenView) }), '4xx': ErrorBody } }, preHandler: admin },
    async (req) => {
      const scope = callerScope(service, req);
      const users = service.store.users.list().filter((u) => allWithin(u.unitIds, scope));
      return { items: service.store.users.listApiTokens(users.map((u) => u.id)) };
    },
  );

  app.post(
    '/api-tokens',
    {
      schema: {
        tags: ['tokens'],
        summary: 'Create an API token for a user, optionally narrowed to some units (the secret is in this answer only)',
        body: CreateApiTokenBody,
        response: { 201: Type.Object({ id: Type.String(), token: Type.String(), expiresAt: Type.String(), unitIds: Type.Union([Type.Array(Type.String()), Type.Null()]) }), '4xx': ErrorBody },
      },
      preHandler: admin,
    },
    async (req, reply) => {
      const b = req.body as { userId: string; name: string; ttlDays?: number; unitIds?: string[] };
      const owner = managedUser(service, req, b.userId);
      const created = service.store.transaction(() => {
        const t = createApiToken(service.store, { userId: owner.id, name: b.name, ttlDays: b.ttlDays, unitIds: b.unitIds });
        audit.record({
          by: requestActor(req),
          action: 'api_token.create',
          target: { type: 'api_token', id: t.id },
          unitIds: t.unitIds ?? owner.unitIds,
          details: { owner: owner.username, name: b.name, expiresAt: t.expiresAt, unitIds: t.unitIds },
        });
        return t;
      });
      return reply.status(201).send(created);
    },
  );

  app.delete(
    '/api-tokens/:id',
    {
      schema: { tags: ['tokens'], summary: 'Revoke an API token', params: Type.Object({ id: Type.String({ maxLength: 64 }) }), response: { 204: Type.Null(), '4xx': ErrorBody } },
      preHandler: admin,
    },
    async (req, reply) => {
      const { id } = req.params as { id: string };
      const t = service.store.users.getApiToken(id);
      if (!t) throw reject(404, 'unknown_token', `no API token ${id}`);
      const owner = managedUser(service, req, t.userId);
      if (t.revokedAt) throw reject(409, 'already_revoked', `API token ${id} was revoked at ${t.revokedAt}`);
      service.store.transaction(() => {
        service.store.users.revokeApiToken(id, new Date().toISOString());
        audit.record({ by: requestActor(req), action: 'api_token.revoke', target: { type: 'api_token', id }, unitIds: t.unitIds ?? owner.unitIds, details: { owner: owner.username, name: t.name } });
      });
      return reply.status(204).send();
    },
  );
}
