// Login and logout for people. The session id travels only in an HttpOnly, SameSite=Strict cookie; the CSRF
// token is returned in the body for the page to send back as a header. Logins are throttled per username and
// per client IP, and every attempt (success or failure) is in the audit log.
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { ErrorBody } from '../../../protocol/index.js';
import { changePassword, login, logout, USERNAME_PATTERN } from '../../auth/service.js';
import { verifyPassword } from '../../auth/passwords.js';
import type { LoginThrottle } from '../../auth/login-throttle.js';
import { auditLog } from '../../audit/index.js';
import { DomainError, reject } from '../../fleet/errors.js';
import type { CollectorService } from '../../service.js';
import { SESSION_COOKIE, requireRole, requestActor } from '../auth-hooks.js';

const LoginBody = Type.Object(
  { username: Type.String({ minLength: 1, maxLength: 64 }), password: Type.String({ minLength: 1, maxLength: 1024 }) },
  { additionalProperties: false },
);
const SessionInfo = Type.Object({
  username: Type.String(),
  role: Type.String(),
  unitIds: Type.Array(Type.String()),
  csrfToken: Type.String(),
  expiresAt: Type.String(),
});
const WhoAmI = Type.Object({
  username: Type.String(),
  role: Type.String(),
  unitIds: Type.Array(Type.String()),
  via: Type.String(),
  csrfToken: Type.Optional(Type.String()),
});
const PasswordBody = Type.Object(
  { currentPassword: Type.String({ minLength: 1, maxLength: 1024 }), newPassword: Type.String({ minLength: 1, maxLength: 1024 }) },
  { additionalProperties: false },
);

export async function sessionRoutes(app: FastifyInstance, opts: { service: CollectorService; secureCookies: boolean; throttle: LoginThrottle }) {
  const { service, throttle } = opts;
  const audit = auditLog(service.store);

  app.post(
    '/session',
    { schema: { tags: ['session'], summary: 'Log in', body: LoginBody, response: { 200: SessionInfo, '4xx': ErrorBody } } },
    async (req, reply) => {
      const { username, password } = req.body as { username: string; password: string };
      // Attempted names are recorded only when they could be a username: a password typed into the wrong
      // field must not land in the audit log.
      const shownName = USERNAME_PATTERN.test(username) ? username : '[not a valid username]';
      // A failure against a real account is filed under that account's units, so its admins see it.
      const failed = (reason: string, extra: Record<string, unknown> = {}) => {
        const known = shownName === username ? service.store.users.findByUsername(username)?.user : undefined;
        audit.record({
          action: 'session.login',
          actor: { type: 'user', id: known?.id ?? null, name: shownName, role: known?.role ?? null },
          ip: req.ip,
          ...(known ? { target: { type: 'user', id: known.id }, unitIds: known.unitIds } : {}),
          outcome: 'failure',
          details: { reason, ...extra },
        });
      };

      const verdict = throttle.check(username, req.ip);
      if (!verdict.allowed) {
        failed('locked', { lock: verdict.scope });
        reply.header('retry-after', String(verdict.retryAfterSec));
        throw reject(429, 'login_locked', `too many failed logins ${verdict.scope === 'user' ? 'for this user' : 'from this address'}; try again in ${verdict.retryAfterSec} s`, {
          retryAfterSec: verdict.retryAfterSec,
        });
      }
      let s;
      try {
        s = await login(service.store, username, password, service.config.auth.sessionHours);
      } catch (err) {
        if (err instanceof DomainError) {
          const locked = err.code === 'bad_credentials' && throttle.fail(username, req.ip);
          failed(err.code, locked ? { lockedNow: true } : {});
        }
        throw err;
      }
      throttle.succeed(username);
      audit.record({
        action: 'session.login',
        actor: { type: 'user', id: s.user.id, name: s.user.username, role: s.user.role },
        ip: req.ip,
        target: { type: 'user', id: s.user.id },
        unitIds: s.user.unitIds,
      });
      reply.setCookie(SESSION_COOKIE, s.sessionId, {
        httpOnly: true,
        sameSite: 'strict',
        secure: opts.secureCookies,
        path: '/',
        expires: new Date(s.expiresAt),
      });
      return { username: s.user.username, role: s.user.role, unitIds: s.user.unitIds, csrfToken: s.csrfToken, expiresAt: s.expiresAt };
    },
  );

  app.get(
    '/session',
    { schema: { tags: ['session'], summary: 'Who am I (and the CSRF token of this session)', response: { 200: WhoAmI, '4xx': ErrorBody } }, preHandler: requireRole(service) },
    async (req) => {
      const p = req.principal! as typeof req.principal & { csrfToken?: string };
      return { username: p.user.username, role: p.user.role, unitIds: p.user.unitIds, via: p.via, ...(p.csrfToken ? { csrfToken: p.csrfToken } : {}) };
    },
  );

  app.delete(
    '/session',
    { schema: { tags: ['session'], summary: 'Log out', response: { 204: Type.Null(), '4xx': ErrorBody } }, preHandler: requireRole(service) },
    async (req, reply) => {
      const p = req.principal!;
      if (p.sessionId) {
        logout(service.store, p.sessionId);
        audit.record({ by: requestActor(req), action: 'session.logout', target: { type: 'user', id: p.user.id }, unitIds: p.user.unitIds });
      }
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send();
    },
  );

  app.post(
    '/session/password',
    {
      schema: { tags: ['session'], summary: 'Change my password (ends all my sessions)', body: PasswordBody, response: { 204: Type.Null(), '4xx': ErrorBody } },
      preHandler: requireRole(service),
    },
    async (req, reply) => {
      const { currentPassword, newPassword } = req.body as { currentPassword: string; newPassword: string };
      const p = req.principal!;
      const found = service.store.users.findByUsername(p.user.username);
      if (!found || !(await verifyPassword(currentPassword, found.passwordHash))) {
        audit.record({ by: requestActor(req), action: 'user.password_change', target: { type: 'user', id: p.user.id }, unitIds: p.user.unitIds, outcome: 'failure', details: { reason: 'wrong current password' } });
        throw reject(403, 'bad_credentials', 'the current password is wrong');
      }
      await changePassword(service.store, p.user.id, newPassword);
      audit.record({ by: requestActor(req), action: 'user.password_change', target: { type: 'user', id: p.user.id }, unitIds: p.user.unitIds });
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send();
    },
  );
}
