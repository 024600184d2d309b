// Compliance API: summaries per level and control, the machines behind each count, an agent's findings,
// information systems with their approved levels, and attestations. Every answer is limited to the caller's units.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { randomBytes } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { ErrorBody } from '../../../protocol/index.js';
import { reject } from '../../fleet/errors.js';
import { allWithin, unitsInScope } from '../../auth/scope.js';
import { explainControl, ATTESTATION_KINDS } from '../../policy/index.js';
import type { CollectorService } from '../../service.js';
import { requireRole, requestActor } from '../auth-hooks.js';
import { auditLog } from '../../audit/index.js';

const Level = Type.Integer({ minimum: 1, maximum: 5 });
const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._:-]+$' });
const Localized = Type.Object({ vi: Type.String(), en: Type.String() });
const AnyObject = Type.Record(Type.String(), Type.Unknown());

export async function complianceRoutes(app: FastifyInstance, opts: { service: CollectorService }) {
  const { service } = opts;
  const store = service.store;
  const scope = (req: FastifyRequest) => unitsInScope(req.principal!.user, store.units.list());
  const narrow = (req: FastifyRequest, unit?: string) => {
    const all = scope(req);
    return unit ? (all.includes(unit) ? [unit] : []) : all;
  };
  const readers = requireRole(service);
  const writers = requireRole(service, ['it_staff']);

  app.get(
    '/compliance',
    {
      schema: {
        tags: ['compliance'],
        summary: 'Compliance per security level (machines compliant / non-compliant / unknown) and per control',
        querystring: Type.Object({ unit: Type.Optional(Id), level: Type.Optional(Level) }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            policyDigest: Type.String(),
            // Until a fleet-wide re-evaluation ends, some findings are still of the previous policy or attestations.
            reevaluation: Type.Union([
              Type.Object({
                reason: Type.Union([Type.Literal('policy_changed'), Type.Literal('attestations_changed')]),
                startedAt: Type.String(),
                percent: Type.Integer({ minimum: 0, maximum: 100 }),
                // Counts of the whole fleet: only for users who see every unit.
                done: Type.Optional(Type.Integer()),
                total: Type.Optional(Type.Integer()),
              }),
              Type.Null(),
            ]),
            levels: Type.Array(Type.Object({ level: Type.Integer(), agents: Type.Integer(), compliant: Type.Integer(), nonCompliant: Type.Integer(), unknown: Type.Integer() })),
            controls: Type.Array(
              Type.Object({
                controlId: Type.String(),
                pack: Type.String(),
                title: Localized,
                severity: Type.String(),
                pass: Type.Integer(),
                fail: Type.Integer(),
                unknown: Type.Integer(),
                notApplicable: Type.Integer(),
              }),
            ),
          }),
          '4xx': ErrorBody,
        },
      },
      preHandler: readers,
    },
    async (req) => {
      const q = req.query as { unit?: string; level?: number };
      const units = narrow(req, q.unit);
      const set = service.compliance.policySet;
      const { levels, controls } = service.compliance.summaries(units, q.level);
      const sweep = service.compliance.reevaluationProgress;
      return {
        policyDigest: set.digest,
        reevaluation: sweep && {
          reason: sweep.reason,
          startedAt: sweep.startedAt,
          percent: sweep.total ? Math.floor((sweep.done / sweep.total) * 100) : 0,
          ...(allWithin(store.units.list().map((u) => u.id), scope(req)) ? { done: sweep.done, total: sweep.total } : {}),
        },
        levels: levels.filter((l) => q.level === undefined || l.level === q.level),
        controls: controls.map((c) => ({
          ...c,
          title: set.byId[c.controlId]?.title ?? { vi: c.controlId, en: c.controlId },
          severity: set.byId[c.controlId]?.severity ?? c.severity,
        })),
      };
    },
  );

  app.get(
    '/compliance/trend',
    {
      schema: {
        tags: ['compliance'],
        summary: 'Daily trend: machines compliant / non-compliant / unknown per level, or one control’s pass/fail/unknown',
        querystring: Type.Object(
          { unit: Type.Optional(Id), level: Type.Optional(Level), control: Type.Optional(Id), days: Type.Optional(Type.Integer({ minimum: 1, maximum: 3660 })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ from: Type.String(), points: Type.Array(AnyObject) }), '4xx': ErrorBody },
      },
      preHandler: readers,
    },
    async (req) => {
      const q = req.query as { unit?: string; level?: number; control?: string; days?: number };
      const from = new Date(Date.now() - ((q.days ?? 90) - 1) * 86400_000).toISOString().slice(0, 10);
      const units = narrow(req, q.unit);
      const points = q.control ? store.trend.control(units, from, q.control, q.level) : store.trend.machines(units, from, q.level);
      return { from, points: points as unknown as Record<string, unknown>[] };
    },
  );

  app.get(
    '/compliance/controls/:id',
    {
      schema: {
        tags: ['compliance'],
        summary: 'One control: rationale, remediation, references, and the machines with a given status',
        params: Type.Object({ id: Id }),
        querystring: Type.Object(
          {
            unit: Type.Optional(Id),
            status: Type.Optional(Type.Union([Type.Literal('fail'), Type.Literal('unknown'), Type.Literal('pass'), Type.Literal('not_applicable')])),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
            offset: Type.Optional(Type.Integer({ minimum: 0 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ control: AnyObject, agents: Type.Array(AnyObject) }), '4xx': ErrorBody },
      },
      preHandler: readers,
    },
    async (req) => {
      const { id } = req.params as { id: string };
      const q = req.query as { unit?: string; status?: 'fail' | 'unknown' | 'pass' | 'not_applicable'; limit?: number; offset?: number };
      const control = explainControl(service.compliance.policySet, id);
      if (!control) throw reject(404, 'unknown_control', `no control ${id} in the active policy set`);
      return {
        control: control as unknown as Record<string, unknown>,
        agents: store.compliance.agentsWithStatus(id, q.status ?? 'fail', narrow(req, q.unit), q.limit ?? 100, q.offset ?? 0) as Record<string, unknown>[],
      };
    },
  );

  app.get(
    '/agents/:id/findings',
    {
      schema: {
        tags: ['compliance'],
        summary: 'Findings of one machine: status, observed and expected values, since when',
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        response: { 200: Type.Object({ level: Type.Integer(), systems: Type.Array(Type.String()), findings: Type.Array(AnyObject) }), '4xx': ErrorBody },
      },
      preHandler: readers,
    },
    async (req) => {
      const { id } = req.params as { id: string };
      const agent = store.agents.get(id);
      if (!agent || !scope(req).includes(agent.unitId)) throw reject(404, 'unknown_agent', `no agent ${id}`);
      const set = service.compliance.policySet;
      return {
        level: store.compliance.effectiveLevel(id) ?? 1,
        systems: store.compliance.systemsOfAgent(id),
        findings: store.compliance.findingsOfAgent(id).map((f) => ({ ...f, title: set.byId[f.controlId]?.title })) as unknown as Record<string, unknown>[],
      };
    },
  );

  const SystemBody = Type.Object(
    {
      id: Id,
      unitId: Id,
      name: Type.String({ minLength: 1, maxLength: 200 }),
      level: Level,
      approvalRef: Type.Optional(Type.String({ maxLength: 200 })),
      approvalDate: Type.Optional(Type.String({ format: 'date', maxLength: 10 })),
    },
    { additionalProperties: false },
  );

  app.get(
    '/systems',
    {
      schema: { tags: ['compliance'], summary: 'Information systems and their approved security levels', response: { 200: Type.Array(AnyObject), '4xx': ErrorBody } },
      preHandler: readers,
    },
    async (req) => store.compliance.listSystems(scope(req)) as unknown as Record<string, unknown>[],
  );

  app.post(
    '/systems',
    {
      schema: { tags: ['compliance'], summary: 'Register an information system with its approved level', body: SystemBody, response: { 201: AnyObject, '4xx': ErrorBody } },
      preHandler: writers,
    },
    async (req, reply) => {
      const b = req.body as { id: string; unitId: string; name: string; level: number; approvalRef?: string; approvalDate?: string };
      if (!scope(req).includes(b.unitId)) throw reject(403, 'out_of_scope', `unit ${b.unitId} is outside your units`);
      if (!store.units.get(b.unitId)) throw reject(400, 'unknown_unit', `unit ${b.unitId} does not exist`);
      if (store.compliance.getSystem(b.id)) throw reject(409, 'system_exists', `system ${b.id} already exists`);
      const system = { id: b.id, unitId: b.unitId, name: b.name, level: b.level, approvalRef: b.approvalRef ?? null, approvalDate: b.approvalDate ?? null };
      store.transaction(() => {
        store.compliance.createSystem(system);
        auditLog(store).record({ by: requestActor(req), action: 'system.create', target: { type: 'system', id: system.id }, unitIds: [system.unitId], details: { ...system } });
      });
      return reply.status(201).send(system);
    },
  );

  app.put(
    '/agents/:id/systems',
    {
      schema: {
        tags: ['compliance'],
        summary: 'Set the information systems a machine belongs to (its level is the highest of theirs)',
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        body: Type.Object({ systemIds: Type.Array(Id, { maxItems: 50, uniqueItems: true }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ level: Type.Integer(), systems: Type.Array(Type.String()) }), '4xx': ErrorBody },
      },
      preHandler: writers,
    },
    async (req) => {
      const { id } = req.params as { id: string };
      const { systemIds } = req.body as { systemIds: string[] };
      const units = scope(req);
      const agent = store.agents.getWithPosture(id);
      if (!agent || !units.includes(agent.unitId)) throw reject(404, 'unknown_agent', `no agent ${id}`);
      for (const s of systemIds) {
        const sys = store.compliance.getSystem(s);
        if (!sys || !units.includes(sys.unitId)) throw reject(400, 'unknown_system', `no information system ${s} in your units`);
      }
      store.transaction(() => {
        const before = store.compliance.systemsOfAgent(id);
        store.compliance.setAgentSystems(id, systemIds);
        service.compliance.evaluateAgent(id, agent.unitId, agent.posture ?? undefined);
        auditLog(store).record({
          by: requestActor(req),
          action: 'agent.systems_set',
          target: { type: 'agent', id },
          unitIds: [agent.unitId],
          details: { before, after: systemIds, level: store.compliance.effectiveLevel(id) ?? 1 },
        });
      });
      return { level: store.compliance.effectiveLevel(id) ?? 1, systems: store.compliance.systemsOfAgent(id) };
    },
  );

  app.get(
    '/attestations',
    { schema: { tags: ['compliance'], summary: 'Attestations for controls an agent cannot observe', response: { 200: Type.Array(AnyObject), '4xx': ErrorBody } }, preHandler: readers },
    async (req) => {
      const units = scope(req);
      return store.compliance
        .listAttestations()
        .filter((a) => !a.scope?.unit || units.includes(a.scope.unit)) as unknown as Record<string, unknown>[];
    },
  );

  app.post(
    '/attestations',
    {
      schema: {
        tags: ['compliance'],
        summary: 'Record an attestation (training, drill, assessment, backup restore test) with its document hash',
        body: Type.Object(
          {
            kind: Type.Union(ATTESTATION_KINDS.map((k) => Type.Literal(k))),
            title: Type.String({ minLength: 1, maxLength: 300 }),
            documentSha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
            controlIds: Type.Optional(Type.Array(Id, { maxItems: 100 })),
            unitId: Type.Optional(Id),
            systemId: Type.Optional(Id),
            validFrom: Type.String({ format: 'date-time' }),
            validUntil: Type.String({ format: 'date-time' }),
          },
          { additionalProperties: false },
        ),
        response: { 201: AnyObject, '4xx': ErrorBody },
      },
      preHandler: writers,
    },
    async (req, reply) => {
      const b = req.body as { kind: (typeof ATTESTATION_KINDS)[number]; title: string; documentSha256: string; controlIds?: string[]; unitId?: string; systemId?: string; validFrom: string; validUntil: string };
      if (Date.parse(b.validUntil) <= Date.parse(b.validFrom)) throw reject(400, 'bad_period', 'validUntil must be after validFrom');
      const units = scope(req);
      if (b.unitId && !units.includes(b.unitId)) throw reject(403, 'out_of_scope', `unit ${b.unitId} is outside your units`);
      if (!b.unitId && !b.systemId && req.principal!.user.role !== 'admin') throw reject(403, 'out_of_scope', 'only an admin may record an attestation for the whole organisation');
      for (const c of b.controlIds ?? []) if (!service.compliance.policySet.byId[c]) throw reject(400, 'unknown_control', `no control ${c}`);
      const a = {
        id: 'att_' + randomBytes(9).toString('base64url'),
        kind: b.kind,
        ...(b.controlIds ? { controlIds: b.controlIds } : {}),
        documentSha256: b.documentSha256,
        title: b.title,
        unitId: b.unitId,
        systemId: b.systemId,
        validFrom: b.validFrom,
        validUntil: b.validUntil,
        recordedBy: req.principal!.user.username,
        recordedAt: new Date().toISOString(),
      };
      store.transaction(() => {
        store.compliance.insertAttestation(a);
        auditLog(store).record({
          by: requestActor(req),
          action: 'attestation.create',
          target: { type: 'attestation', id: a.id },
          unitIds: a.unitId ? [a.unitId] : [],
          details: { kind: a.kind, title: a.title, documentSha256: a.documentSha256, controlIds: a.controlIds ?? null, systemId: a.systemId ?? null, validFrom: a.validFrom, validUntil: a.validUntil },
        });
      });
      // Answered once every agent has been evaluated against it; other requests are served meanwhile.
      await service.compliance.reevaluateAll('attestations_changed');
      return reply.status(201).send(a);
    },
  );
}
