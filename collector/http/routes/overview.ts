// GET /api/v1/overview: the landing page's headline numbers for the caller's units, in one request.
// Every posture-derived figure carries an explicit "unknown" count: a machine that has not reported a fact
// is never counted as covered, patched or unexposed.
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { ErrorBody } from '../../../protocol/index.js';
import { unitsInScope } from '../../auth/scope.js';
import { OverviewRepository, type RiskyPort } from '../../store/overview.js';
import type { CollectorService } from '../../service.js';
import { requireRole } from '../auth-hooks.js';

/**
 * The risky services are the alert rules' own list (`alerts.riskyPorts`, configurable): the overview's "exposed
 * risky services" counts the same machines that raise exposed_service alerts, never a second opinion.
 */
export function riskyPortsOf(config: { alerts: { riskyPorts: readonly { port: number; name: string }[] } }): RiskyPort[] {
  const seen = new Set<number>();
  // The overview's facts keep exposed ports without the protocol: one row per port number.
  return config.alerts.riskyPorts.filter((p) => !seen.has(p.port) && seen.add(p.port)).map((p) => ({ port: p.port, service: p.name }));
}

const Count = Type.Integer({ minimum: 0 });
export const OverviewBody = Type.Object({
  generatedAt: Type.String(),
  total: Count,
  byState: Type.Record(Type.String(), Count),
  withoutPosture: Count,
  av: Type.Object({ protected: Count, degraded: Count, unprotected: Count, unknown: Count, coverageRatio: Type.Number() }),
  patches: Type.Object({ upToDate: Count, missingSecurity: Count, rebootRequired: Count, unknown: Count, complianceRatio: Type.Number() }),
  exposure: Type.Object({
    machinesWithRiskyServices: Count,
    unknown: Count,
    byService: Type.Array(Type.Object({ port: Type.Integer(), service: Type.String(), machines: Count })),
  }),
  os: Type.Array(Type.Object({ name: Type.String(), machines: Count })),
});

const ratio = (n: number, total: number) => (total === 0 ? 0 : Math.round((n / total) * 10000) / 10000);

export async function overviewRoutes(app: FastifyInstance, opts: { service: CollectorService }) {
  const { service } = opts;
  // Applies the overview's migrations; from then on triggers keep its table current within each write's own
  // transaction, so nothing here listens to ingest.
  const repo = new OverviewRepository(service.store.db);
  const riskyPorts = riskyPortsOf(service.config);

  app.get(
    '/overview',
    {
      schema: {
        tags: ['dashboard'],
        summary: 'Fleet overview for the caller’s units: agents by state, AV/EDR coverage, patches, exposed risky services',
        response: { 200: OverviewBody, '4xx': ErrorBody },
      },
      preHandler: requireRole(service),
    },
    async (req) => {
      const units = unitsInScope(req.principal!.user, service.store.units.list());
      const c = repo.counts(units, riskyPorts);
      return {
        generatedAt: new Date().toISOString(),
        ...c,
        av: { ...c.av, coverageRatio: ratio(c.av.protected, c.total) },
        patches: { ...c.patches, complianceRatio: ratio(c.patches.upToDate, c.total) },
      };
    },
  );
}
