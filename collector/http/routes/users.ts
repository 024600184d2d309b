// User administration (admins only, within their own unit scope): list, create, change role/units, disable,
// set a password. An admin can neither grant units outside their scope nor see users beyond it.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { ErrorBody } from '../../../protocol/index.js';
import { changePassword, createUser, setRoleAndUnits, setUserDisabled } from '../../auth/service.js';
import { allWithin } from '../../auth/scope.js';
import { ROLES, type Role, type User } from '../../auth/types.js';
import { auditLog } from '../../audit/index.js';
import { reject } from '../../fleet/errors.js';
import type { CollectorService } from '../../service.js';
import { callerScope, requireRole, requestActor } from '../auth-hooks.js';

export const ADMIN_ONLY: Role[] = [];

const RoleSchema = Type.Union(ROLES.map((r) => Type.Literal(r)));
const UnitIds = Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 100 });
export const UserView = Type.Object({ id: Type.String(), username: Type.String(), role: Type.String(), unitIds: Type.Array(Type.String()), disabled: Type.Boolean() });
const UserParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
const CreateBody = Type.Object(
  { username: Type.String({ minLength: 2, maxLength: 64 }), password: Type.String({ minLength: 1, maxLength: 1024 }), role: RoleSchema, unitIds: UnitIds },
  { additionalProperties: false },
);
const PatchBody = Type.Object(
  { role: Type.Optional(RoleSchema), unitIds: Type.Optional(UnitIds), disabled: Type.Optional(Type.Boolean()) },
  { additionalProperties: false, minProperties: 1 },
);
const PasswordBody = Type.Object({ password: Type.String({ minLength: 1, maxLength: 1024 }) }, { additionalProperties: false });

const view = (u: User) => ({ id: u.id, username: u.username, role: u.role, unitIds: u.unitIds, disabled: u.disabled });

/** A user the caller may manage: every one of its units lies inside the caller's scope. Else "no such user". */
export function managedUser(service: CollectorService, req: FastifyRequest, id: string): User {
  const u = service.store.users.get(id);
  if (!u || !allWithin(u.unitIds, callerScope(service, req))) throw reject(404, 'unknown_user', `no user ${id}`);
  return u;
}

function requireUnitsInScope(service: CollectorService, req: FastifyRequest, unitIds: string[]): void {
  const scope = callerScope(service, req);
  for (const u of unitIds) if (!scope.includes(u)) throw reject(403, 'out_of_scope', `unit "${u}" is not in your scope`);
}

export async function userRoutes(app: FastifyInstance, opts: { service: CollectorService }) {
  const { service } = opts;
  const audit = auditLog(service.store);
  const admin = requireRole(service, ADMIN_ONLY);

  app.get(
    '/users',
    { schema: { tags: ['users'], summary: 'Users in my scope', response: { 200: Type.Object({ items: Type.Array(UserView) }), '4xx': ErrorBody } }, preHandler: admin },
    async (req) => {
      const scope = callerScope(service, req);
      return { items: service.store.users.list().filter((u) => allWithin(u.unitIds, scope)).map(view) };
    },
  );

  app.get(
    '/users/:id',
    { schema: { tags: ['users'], summary: 'One user', params: UserParams, response: { 200: UserView, '4xx': ErrorBody } }, preHandler: admin },
    async (req) => view(managedUser(service, req, (req.params as { id: string }).id)),
  );

  app.post(
    '/users',
    { schema: { tags: ['users'], summary: 'Create a user', body: CreateBody, response: { 201: UserView, '4xx': ErrorBody } }, preHandler: admin },
    async (req, reply) => {
      const b = req.body as { username: string; password: string; role: Role; unitIds: string[] };
      requireUnitsInScope(service, req, b.unitIds);
      const u = await createUser(service.store, b);
      audit.record({ by: requestActor(req), action: 'user.create', target: { type: 'user', id: u.id }, unitIds: u.unitIds, details: { username: u.username, role: u.role, unitIds: u.unitIds } });
      return reply.status(201).send(view(u));
    },
  );

  app.patch(
    '/users/:id',
    { schema: { tags: ['users'], summary: 'Change role, units or disable/enable', params: UserParams, body: PatchBody, response: { 200: UserView, '4xx': ErrorBody } }, preHandler: admin },
    async (req) => {
      const before = managedUser(service, req, (req.params as { id: string }).id);
      const b = req.body as { role?: Role; unitIds?: string[]; disabled?: boolean };
      if (before.id === req.principal!.user.id && (b.role !== undefined || b.disabled !== undefined || b.unitIds !== undefined)) {
        throw reject(409, 'self_change', 'you cannot change your own role, units or status; ask another admin');
      }
      if (b.unitIds) requireUnitsInScope(service, req, b.unitIds);
      let after = before;
      service.store.transaction(() => {
        if (b.role !== undefined || b.unitIds !== undefined) {
          after = setRoleAndUnits(service.store, before.id, b.role ?? before.role, b.unitIds ?? before.unitIds);
          audit.record({
            by: requestActor(req),
            action: 'user.role_change',
            target: { type: 'user', id: before.id },
            unitIds: [...before.unitIds, ...after.unitIds],
            details: { username: before.username, from: { role: before.role, unitIds: before.unitIds }, to: { role: after.role, unitIds: after.unitIds } },
          });
        }
        if (b.disabled !== undefined && b.disabled !== before.disabled) {
          after = { ...setUserDisabled(service.store, before.id, b.disabled), role: after.role, unitIds: after.unitIds };
          audit.record({ by: requestActor(req), action: b.disabled ? 'user.disable' : 'user.enable', target: { type: 'user', id: before.id }, unitIds: after.unitIds, details: { username: before.username } });
        }
      });
      return view(after);
    },
  );

  app.post(
    '/users/:id/password',
    { schema: { tags: ['users'], summary: 'Set a user’s password (ends their sessions)', params: UserParams, body: PasswordBody, response: { 204: Type.Null(), '4xx': ErrorBody } }, preHandler: admin },
    async (req, reply) => {
      const u = managedUser(service, req, (req.params as { id: string }).id);
      await changePassword(service.store, u.id, (req.body as { password: string }).password);
      audit.record({ by: requestActor(req), action: 'user.password_set', target: { type: 'user', id: u.id }, unitIds: u.unitIds, details: { username: u.username } });
      return reply.status(204).send();
    },
  );
}
