// Request rate limits (@fastify/rate-limit) per client IP, for everything people and unenrolled machines call.
// The agent routes (signed reports, session openings) turn it off and count per authenticated agent instead
// (fleet/agent-request-limits.ts): a key taken from the URL's agent id would let anyone use up an agent's
// quota. A refusal is a 429 in the usual error shape.
import type { FastifyInstance } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import type { SecurityLimits } from '../auth/limits.js';
import { reject } from '../fleet/errors.js';

export async function registerRateLimits(app: FastifyInstance, limits: SecurityLimits): Promise<void> {
  await app.register(rateLimit, {
    global: true,
    timeWindow: 60_000,
    cache: 20_000,
    keyGenerator: (req) => req.ip,
    max: limits.requestsPerMinutePerIp,
    errorResponseBuilder: (_req, ctx) =>
      reject(429, 'rate_limited', `too many requests (limit ${ctx.max} per ${ctx.after === '1 minute' ? 'minute' : 'window'}); retry in ${ctx.after}`, {
        retryAfterMs: ctx.ttl,
      }),
  });
}
