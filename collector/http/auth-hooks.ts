// Who is calling: a session cookie (browsers, with a CSRF header on state-changing requests) or a Bearer API
// token (automation). Routes declare what they need with requireUser / requireRole.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { reject } from '../fleet/errors.js';
import { principalFromApiToken, principalFromSession } from '../auth/service.js';
import type { Principal, Role } from '../auth/types.js';
import type { CollectorService } from '../service.js';

export const SESSION_COOKIE = 'soclite_session';
export const CSRF_HEADER = 'x-csrf-token';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

export function authenticate(service: CollectorService, req: FastifyRequest): Principal | null {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return principalFromApiToken(service.store, auth.slice(7).trim());
  const sid = req.cookies?.[SESSION_COOKIE];
  if (!sid) return null;
  const p = principalFromSession(service.store, sid);
  if (!p) return null;
  if (!['GET', 'HEAD', 'OPTIONS'].includes(req.method) && req.headers[CSRF_HEADER] !== p.csrfToken) {
    throw reject(403, 'csrf', `state-changing requests need the ${CSRF_HEADER} header from the login response`);
  }
  return p;
}

export function requireRole(service: CollectorService, roles?: Role[]) {
  return async (req: FastifyRequest, _reply: FastifyReply) => {
    const p = authenticate(service, req);
    if (!p) throw reject(401, 'unauthenticated', 'log in (POST /api/v1/session) or send Authorization: Bearer <api token>');
    if (roles && p.user.role !== 'admin' && !roles.includes(p.user.role)) {
      throw reject(403, 'forbidden', `role ${p.user.role} may not do this`);
    }
    req.principal = p;
  };
}
