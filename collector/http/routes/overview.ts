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
 * Services that should not be reachable from the network on office machines: clear-text logins, Windows file
 * sharing and remote desktop, databases and caches without authentication by default, container daemons.
 */
export const RISKY_PORTS: RiskyPort[] = [
  { port: 21, service: 'ftp' },
  { port: 23, service: 'telnet' },
  { port: 69, service: 'tftp' },
  { port: 111, service: 'rpcbind' },
  { port: 135, service: 'msrpc' },
  { port: 139, service: 'netbios-ssn' },
  { port: 445, service: 'smb' },
  { port: 512, service: 'rexec' },
  { port: 513, service: 'rlogin' },
  { port: 514, service: 'rsh' },
  { port: 1433, service: 'mssql' },
  { port: 1521, service: 'oracle' },
  { port: 2375, service: 'docker' },
  { port: 3306, service: 'mysql' },
  { port: 3389, service: 'rdp' },
  { port: 5432, service: 'postgresql' },
  { port: 5900, service: 'vnc' },
  { port: 6379, service: 'redis' },
  { port: 9200, service: 'elasticsearch' },
  { port: 11211, service: 'memcached' },
  { port: 27017, service: 'mongodb' },
];

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
  const repo = new OverviewRepository(service.store.db);
  // Keep the extracted facts current as postures arrive, so a page load rarely has anything to re-extract.
  const onIngested = (o: { postureChanged?: unknown; agent: { id: string } }) => {
    if (!o.postureChanged) return;
    try {
      repo.refreshAgent(o.agent.id);
    } catch (err) {
      service.log.warn({ err, agentId: o.agent.id }, 'overview facts refresh failed; the next overview request re-extracts it');
    }
  };
  service.on('ingested', onIngested);
  app.addHook('onClose', async () => {
    service.off('ingested', onIngested);
  });

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
      const c = repo.counts(units, RISKY_PORTS);
      return {
        generatedAt: new Date().toISOString(),
        ...c,
        av: { ...c.av, coverageRatio: ratio(c.av.protected, c.total) },
        patches: { ...c.patches, complianceRatio: ratio(c.patches.upToDate, c.total) },
      };
    },
  );
}
