// Login and logout for people. The session id travels only in an HttpOnly, SameSite=Strict cookie; the CSRF
// token is returned in the body for the page to send back as a header.
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { ErrorBody } from '../../../protocol/index.js';
import { login, logout } from '../../auth/service.js';
import type { CollectorService } from '../../service.js';
import { SESSION_COOKIE, requireRole } from '../auth-hooks.js';

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

export async function sessionRoutes(app: FastifyInstance, opts: { service: CollectorService; secureCookies: boolean }) {
  const { service } = opts;
  app.post(
    '/session',
    { schema: { tags: ['session'], summary: 'Log in', body: LoginBody, response: { 200: SessionInfo, '4xx': ErrorBody } } },
    async (req, reply) => {
      const { username, password } = req.body as { username: string; password: string };
      const s = await login(service.store, username, password, service.config.auth.sessionHours);
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
  app.delete(
    '/session',
    { schema: { tags: ['session'], summary: 'Log out', response: { 204: Type.Null(), '4xx': ErrorBody } }, preHandler: requireRole(service) },
    async (req, reply) => {
      if (req.principal?.sessionId) logout(service.store, req.principal.sessionId);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send();
    },
  );
}
