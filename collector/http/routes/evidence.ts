// Evidence exports over the API: start an export job for a security level (and unit, system, period or instant),
// follow its progress, read its verification, download the signed bundle. The same bundle as
// `soclite evidence export`; jobs run in a child process (collector/evidence/export-jobs.ts). Every answer is
// limited to the caller's units: an export of one unit is visible to whoever sees that unit, an export of the
// whole organisation only to callers who see every unit.
import { createReadStream } from 'node:fs';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type TSchema } from '@sinclair/typebox';
import { ErrorBody } from '../../../protocol/index.js';
import { reject } from '../../fleet/errors.js';
import { unitsInScope } from '../../auth/scope.js';
import type { Role } from '../../auth/types.js';
import { auditLog } from '../../audit/index.js';
import { EXPORT_ID_PATTERN, ExportBusyError, ExportJobs, type ExportJob } from '../../evidence/export-jobs.js';
import { ScopeError, parseEvidenceScope } from '../../evidence/scope.js';
import type { EvidenceScope } from '../../evidence/source.js';
import type { CollectorService } from '../../service.js';
import { requireRole, requestActor } from '../auth-hooks.js';

const EXPORTERS: Role[] = ['admin', 'auditor', 'it_staff'];
const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._:-]+$' });
// A calendar date (a whole UTC day) or an ISO 8601 time with Z or an offset; parseEvidenceScope checks the rest.
const When = Type.String({ minLength: 10, maxLength: 40, pattern: '^\\d{4}-\\d{2}-\\d{2}([T ][0-9:.]+(Z|[+-]\\d{2}:\\d{2}))?$' });
const ExportId = Type.String({ pattern: EXPORT_ID_PATTERN });
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

const JobView = Type.Object({
  id: Type.String(),
  status: Type.Union([Type.Literal('running'), Type.Literal('done'), Type.Literal('failed')]),
  scope: Type.Object({
    level: Type.Integer(),
    unit: Nullable(Type.String()),
    system: Nullable(Type.String()),
    from: Nullable(Type.String()),
    to: Type.String(),
    asOf: Nullable(Type.String()),
  }),
  requestedBy: Type.Object({ id: Type.String(), username: Type.String(), role: Type.String() }),
  createdAt: Type.String(),
  finishedAt: Nullable(Type.String()),
  progress: Type.Object({ phase: Type.String(), done: Type.Number(), total: Type.Number() }),
  result: Nullable(
    Type.Object({
      bundleId: Type.String(),
      fingerprint: Type.String(),
      machines: Type.Integer(),
      verdicts: Type.Object({ met_fully: Type.Integer(), met_partly: Type.Integer(), not_met: Type.Integer(), not_applicable: Type.Integer() }),
      bytes: Type.Integer(),
      sha256: Type.String(),
    }),
  ),
  verification: Nullable(
    Type.Object({
      ok: Type.Boolean(),
      verified: Type.Integer(),
      problems: Type.Array(Type.Object({ file: Type.String(), kind: Type.String(), detail: Type.String() })),
    }),
  ),
  error: Nullable(Type.String()),
  downloadUrl: Nullable(Type.String()),
});

/** ScopeError messages name CLI flags; over the API the same checks name body fields. */
const apiWording = (message: string): string =>
  message.replace(/--as-of/g, 'asOf').replace(/--(level|unit|system|from|to)\b/g, '$1').replace(/ D\b/g, '');

export async function evidenceRoutes(app: FastifyInstance, opts: { service: CollectorService }) {
  const { service } = opts;
  const store = service.store;
  const audit = auditLog(store);
  const jobs = new ExportJobs({
    dataDir: service.config.storage.dataDir,
    log: service.log,
    onFinished: (job) =>
      audit.record({
        action: 'evidence.export_finish',
        actor: { type: 'user', id: job.requestedBy.id, name: job.requestedBy.username, role: job.requestedBy.role },
        ip: null,
        target: { type: 'evidence_export', id: job.id },
        unitIds: job.scope.unit ? [job.scope.unit] : [],
        outcome: job.status === 'done' ? 'success' : 'failure',
        details: {
          scope: job.scope,
          ...(job.result ? { bundleId: job.result.bundleId, sha256: job.result.sha256, machines: job.result.machines } : {}),
          ...(job.verification ? { verified: job.verification.ok } : {}),
          ...(job.error ? { error: job.error } : {}),
        },
      }),
  });
  app.addHook('onClose', async () => jobs.close());
  const exporters = requireRole(service, EXPORTERS);

  const callerUnits = (req: FastifyRequest) => unitsInScope(req.principal!.user, store.units.list());
  const seesEverything = (units: string[]) => store.units.list().every((u) => units.includes(u.id));
  const visible = (req: FastifyRequest, job: ExportJob) => {
    const units = callerUnits(req);
    return job.scope.unit ? units.includes(job.scope.unit) : seesEverything(units);
  };
  const view = (job: ExportJob) => ({ ...job, downloadUrl: job.status === 'done' ? `/api/v1/evidence/exports/${job.id}/download` : null });
  const visibleJob = (req: FastifyRequest, id: string): ExportJob => {
    const job = jobs.get(id);
    // Someone else's unit's export is "not found", not "forbidden": its existence is not theirs to know.
    if (!job || !visible(req, job)) throw reject(404, 'unknown_export', `no evidence export ${id}`);
    return job;
  };

  app.post(
    '/evidence/exports',
    {
      schema: {
        tags: ['evidence'],
        summary: 'Start an evidence export for a security level (unit, system, period or "as of" an instant); answers at once with the job',
        body: Type.Object(
          {
            level: Type.Integer({ minimum: 1, maximum: 5 }),
            unit: Type.Optional(Id),
            system: Type.Optional(Id),
            from: Type.Optional(When),
            to: Type.Optional(When),
            asOf: Type.Optional(When),
          },
          { additionalProperties: false },
        ),
        response: { 202: JobView, '4xx': ErrorBody },
      },
      preHandler: exporters,
    },
    async (req, reply) => {
      const b = req.body as { level: number; unit?: string; system?: string; from?: string; to?: string; asOf?: string };
      let scope: EvidenceScope;
      const now = new Date();
      try {
        scope = parseEvidenceScope(b, now);
      } catch (err) {
        if (err instanceof ScopeError) throw reject(400, 'bad_scope', apiWording(err.message));
        throw err;
      }
      const user = req.principal!.user;
      const units = callerUnits(req);
      if (scope.unit !== undefined) {
        if (!units.includes(scope.unit)) throw reject(403, 'out_of_scope', `unit ${scope.unit} is outside your units`);
      } else if (!seesEverything(units)) {
        // A caller scoped to part of the organisation exports their part, named in the bundle's scope.
        if (user.unitIds.length !== 1) throw reject(400, 'unit_required', 'you see several units: say which one to export (unit)');
        scope.unit = user.unitIds[0]!;
      }
      if (scope.system !== undefined) {
        const sys = store.compliance.getSystem(scope.system);
        if (!sys || !units.includes(sys.unitId)) throw reject(404, 'unknown_system', `no information system ${scope.system} in your units`);
      }
      const policy = service.config.policy;
      // An export of "now" during a fleet-wide re-evaluation waits for it: its findings are then all of the
      // policy the bundle names. One of an earlier instant reads what held then, whatever runs now.
      const sweepEnded = scope.to.getTime() === now.getTime() ? service.compliance.reevaluationEnded() : undefined;
      let job: ExportJob;
      try {
        job = jobs.start({
          scope,
          requestedBy: { id: user.id, username: user.username, role: user.role },
          policy: () => ({
            ...(policy.dir ? { dir: policy.dir } : {}),
            packs: policy.packs,
            overrides: policy.overrides as Record<string, unknown>,
            digest: service.compliance.policySet.digest,
          }),
          ...(sweepEnded ? { waitFor: { ended: sweepEnded, progress: () => service.compliance.reevaluationProgress } } : {}),
        });
      } catch (err) {
        if (err instanceof ExportBusyError) throw reject(429, 'exports_busy', err.message);
        throw err;
      }
      audit.record({
        by: requestActor(req),
        action: 'evidence.export',
        target: { type: 'evidence_export', id: job.id },
        unitIds: job.scope.unit ? [job.scope.unit] : [],
        details: { scope: job.scope },
      });
      return reply.status(202).header('location', `/api/v1/evidence/exports/${job.id}`).send(view(job));
    },
  );

  app.get(
    '/evidence/exports',
    {
      schema: {
        tags: ['evidence'],
        summary: 'Evidence exports of your units, newest first',
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(JobView) }), '4xx': ErrorBody },
      },
      preHandler: exporters,
    },
    async (req) => {
      const { limit } = req.query as { limit?: number };
      return { items: jobs.list().filter((j) => visible(req, j)).slice(0, limit ?? 100).map(view) };
    },
  );

  app.get(
    '/evidence/exports/:id',
    {
      schema: {
        tags: ['evidence'],
        summary: 'One export: status, progress, result and the verification of the written bundle',
        params: Type.Object({ id: ExportId }),
        response: { 200: JobView, '4xx': ErrorBody },
      },
      preHandler: exporters,
    },
    async (req) => view(visibleJob(req, (req.params as { id: string }).id)),
  );

  app.get(
    '/evidence/exports/:id/download',
    {
      schema: {
        tags: ['evidence'],
        summary: 'The signed evidence bundle (.zip) of a finished export',
        produces: ['application/zip'],
        params: Type.Object({ id: ExportId }),
        response: { 200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }), '4xx': ErrorBody },
      },
      preHandler: exporters,
    },
    async (req, reply) => {
      const job = visibleJob(req, (req.params as { id: string }).id);
      if (job.status !== 'done' || !job.result) {
        throw reject(409, 'export_not_ready', job.status === 'running' ? 'the export is still running' : `the export failed: ${job.error ?? 'unknown error'}`);
      }
      audit.record({
        by: requestActor(req),
        action: 'evidence.download',
        target: { type: 'evidence_export', id: job.id },
        unitIds: job.scope.unit ? [job.scope.unit] : [],
        details: { bundleId: job.result.bundleId, sha256: job.result.sha256 },
      });
      return reply
        .header('content-type', 'application/zip')
        .header('content-length', String(job.result.bytes))
        .header('content-disposition', `attachment; filename="soclite-evidence-level${job.scope.level}-${job.id}.zip"`)
        .send(createReadStream(jobs.zipPath(job.id)));
    },
  );
}
