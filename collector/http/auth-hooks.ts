// Who is calling: a session cookie (browsers, with a CSRF header on state-changing requests) or a Bearer API
// token (automation). Every /api/v1 route needs one of them unless it is listed in PUBLIC_API_ROUTES (the
// gate below refuses the rest before the body is even read); routes then declare roles with requireRole and
// filter by the caller's unit scope.
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { reject } from '../fleet/errors.js';
import { principalFromApiToken, principalFromSession } from '../auth/service.js';
import { unitsInScope } from '../auth/scope.js';
import type { Principal, Role } from '../auth/types.js';
import type { RequestActor } from '../audit/index.js';
import type { CollectorService } from '../service.js';

export const SESSION_COOKIE = 'soclite_session';
export const CSRF_HEADER = 'x-csrf-token';

/** The only /api/v1 routes reachable without a user: enrollment (token + proof), signed reports and agent
 * session openings (agent signature), login. */
const AGENT_REPORTS_ROUTE = '/api/v1/agents/:id/reports';
export const PUBLIC_API_ROUTES = new Set(['POST /api/v1/enroll', `POST ${AGENT_REPORTS_ROUTE}`, 'POST /api/v1/agents/:id/sessions', 'POST /api/v1/session']);

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

const SAFE_METHODS = ['GET', 'HEAD', 'OPTIONS'];

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function authenticate(service: CollectorService, req: FastifyRequest): Principal | null {
  const auth = req.headers.authorization;
  if (auth !== undefined) {
    // A malformed Authorization header is refused rather than ignored in favour of a cookie.
    if (!auth.startsWith('Bearer ')) return null;
    return principalFromApiToken(service.store, auth.slice(7).trim());
  }
  const sid = req.cookies?.[SESSION_COOKIE];
  if (!sid || sid.length > 128) return null;
  const p = principalFromSession(service.store, sid);
  if (!p) return null;
  if (!SAFE_METHODS.includes(req.method)) {
    const given = req.headers[CSRF_HEADER];
    if (typeof given !== 'string' || !sameSecret(given, p.csrfToken)) {
      throw reject(403, 'csrf', `state-changing requests need the ${CSRF_HEADER} header from the login response`);
    }
  }
  return p;
}

const unauthenticated = () => reject(401, 'unauthenticated', 'log in (POST /api/v1/session) or send Authorization: Bearer <api token>');

/**
 * Registers, at the root: the authentication gate for /api/v1 (default deny) and no-store caching of API
 * answers. Routes name the caller in their audit records with requestActor.
 */
export function registerAuthGate(app: FastifyInstance, service: CollectorService): void {
  const gate = async (req: FastifyRequest) => {
    const p = authenticate(service, req);
    if (!p) throw unauthenticated();
    req.principal = p;
  };
  // Attached per route at registration, after the rate limiter's hook (registered earlier), so floods are
  // cut off before any credential lookup. Decided on the route pattern, never on the raw URL.
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/')) return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (methods.every((m) => PUBLIC_API_ROUTES.has(`${m === 'HEAD' ? 'GET' : m} ${route.url}`))) return;
    const existing = route.onRequest;
    route.onRequest = [...(Array.isArray(existing) ? existing : existing ? [existing] : []), gate];
  });
  app.addHook('onSend', async (req, reply) => {
    if (req.url.startsWith('/api/')) reply.header('cache-control', 'no-store');
  });
}

export function requireRole(service: CollectorService, roles?: Role[]) {
  return async (req: FastifyRequest, _reply: FastifyReply) => {
    const p = req.principal ?? authenticate(service, req);
    if (!p) throw unauthenticated();
    if (roles && p.user.role !== 'admin' && !roles.includes(p.user.role)) {
      throw reject(403, 'forbidden', `role ${p.user.role} may not do this`);
    }
    req.principal = p;
  };
}

/** Who is asking and from where, for the audit records a route writes (audit/context.ts). */
export function requestActor(req: FastifyRequest): RequestActor {
  const user = req.principal?.user;
  return user ? { ip: req.ip, user: { id: user.id, username: user.username, role: user.role } } : { ip: req.ip };
}

/** The unit ids the caller may see: their units and every unit below them. */
export function callerScope(service: CollectorService, req: FastifyRequest): string[] {
  if (!req.principal) throw unauthenticated();
  return unitsInScope(req.principal.user, service.store.units.list());
}
