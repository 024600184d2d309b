// Request rate limits (@fastify/rate-limit): signed agent reports are counted per agent id (many agents can
// sit behind one NAT address), everything else per client IP. A refusal is a 429 in the usual error shape.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import type { SecurityLimits } from '../auth/limits.js';
import { reject } from '../fleet/errors.js';

const REPORT_ROUTE = '/api/v1/agents/:id/reports';
/** Agent session openings share the agent's quota: many agents behind one NAT address may open at once. */
const SESSIONS_ROUTE = '/api/v1/agents/:id/sessions';

export function rateLimitKey(req: FastifyRequest): string {
  if (req.routeOptions.url === REPORT_ROUTE || req.routeOptions.url === SESSIONS_ROUTE) {
    const id = String((req.params as { id?: unknown } | undefined)?.id ?? '').slice(0, 64);
    return 'agent:' + id;
  }
  return 'ip:' + req.ip;
}

export async function registerRateLimits(app: FastifyInstance, limits: SecurityLimits): Promise<void> {
  await app.register(rateLimit, {
    global: true,
    timeWindow: 60_000,
    cache: 20_000,
    keyGenerator: rateLimitKey,
    max: (_req, key) => (key.startsWith('agent:') ? limits.reportsPerMinutePerAgent : limits.requestsPerMinutePerIp),
    errorResponseBuilder: (_req, ctx) =>
      reject(429, 'rate_limited', `too many requests (limit ${ctx.max} per ${ctx.after === '1 minute' ? 'minute' : 'window'}); retry in ${ctx.after}`, {
        retryAfterMs: ctx.ttl,
      }),
  });
}
