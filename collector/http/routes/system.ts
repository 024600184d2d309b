// Operational endpoints outside /api/v1: liveness of the collector itself and Prometheus metrics.
import type { FastifyInstance } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { reject } from '../../fleet/errors.js';
import type { CollectorService } from '../../service.js';

const sameSecret = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export async function systemRoutes(app: FastifyInstance, opts: { service: CollectorService; version: string }) {
  const { service } = opts;
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['system'],
        summary: 'Collector health: database reachable',
        response: { 200: Type.Object({ status: Type.Literal('ok'), version: Type.String(), agents: Type.Integer() }) },
      },
    },
    async () => {
      const counts = service.store.agents.countByState();
      return { status: 'ok' as const, version: opts.version, agents: Object.values(counts).reduce((a, b) => a + b, 0) };
    },
  );
  app.get('/metrics', { schema: { tags: ['system'], summary: 'Prometheus metrics', hide: false } }, async (req, reply) => {
    const token = service.config.auth.metricsToken;
    if (token) {
      const given = req.headers.authorization?.startsWith('Bearer ') ? req.headers.authorization.slice(7) : '';
      if (!sameSecret(given, token)) throw reject(401, 'unauthenticated', '/metrics needs Authorization: Bearer <auth.metricsToken>');
    }
    reply.header('content-type', service.metrics.registry.contentType);
    return service.metrics.registry.metrics();
  });
}
