// Read API over the fleet for people: list with paging and filters, one agent with its posture and timeline.
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { ErrorBody } from '../../../protocol/index.js';
import { LIVENESS_STATES, type AgentRecord } from '../../fleet/types.js';
import { AGENT_SORT_KEYS, type AgentListFilter } from '../../store/agent-list.js';
import { reject } from '../../fleet/errors.js';
import { unitsInScope } from '../../auth/scope.js';
import type { CollectorService } from '../../service.js';
import { requireRole } from '../auth-hooks.js';

const AgentSummary = Type.Object({
  id: Type.String(),
  unitId: Type.String(),
  hostname: Type.String(),
  platform: Type.String(),
  agentVersion: Type.String(),
  enrolledAt: Type.String(),
  lastSeenAt: Type.Union([Type.String(), Type.Null()]),
  lastSeq: Type.Integer(),
  state: Type.String(),
  stateSince: Type.String(),
  stateReason: Type.String(),
  postureHash: Type.Union([Type.String(), Type.Null()]),
  postureAt: Type.Union([Type.String(), Type.Null()]),
  clockSkewMs: Type.Number(),
  seqGaps: Type.Integer(),
  /** Alerts of this agent not yet resolved (open, acknowledged or suppressed), kept by triggers on the row. */
  activeAlerts: Type.Integer(),
});

const summary = (a: AgentRecord) => {
  const { publicKey: _pk, hardwareId: _hw, retiredAt: _r, lastReportKind: _k, ...rest } = a;
  return rest;
};

const ListQuery = Type.Object(
  {
    state: Type.Optional(Type.Union(LIVENESS_STATES.map((s) => Type.Literal(s)))),
    unit: Type.Optional(Type.String({ maxLength: 64 })),
    q: Type.Optional(Type.String({ maxLength: 255 })),
    os: Type.Optional(Type.Union([Type.Literal('linux'), Type.Literal('windows'), Type.Literal('darwin'), Type.Literal('other')])),
    av: Type.Optional(Type.Union([Type.Literal('protected'), Type.Literal('degraded'), Type.Literal('unprotected'), Type.Literal('unknown')])),
    level: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
    system: Type.Optional(Type.String({ maxLength: 64 })),
    failingControl: Type.Optional(Type.String({ maxLength: 100 })),
    sort: Type.Optional(Type.Union(AGENT_SORT_KEYS.map((k) => Type.Literal(k)))),
    order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
    offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
  },
  { additionalProperties: false },
);

export async function agentRoutes(app: FastifyInstance, opts: { service: CollectorService }) {
  const { service } = opts;
  const scopeOf = (req: { principal?: { user: Parameters<typeof unitsInScope>[0] } }) =>
    unitsInScope(req.principal!.user, service.store.units.list());

  app.get(
    '/agents',
    {
      schema: {
        tags: ['agents'],
        summary: 'List agents in the caller’s units',
        querystring: ListQuery,
        response: {
          200: Type.Object({ total: Type.Integer(), items: Type.Array(Type.Intersect([AgentSummary, Type.Object({ level: Type.Integer(), avStatus: Type.String() })])) }),
          '4xx': ErrorBody,
        },
      },
      preHandler: requireRole(service),
    },
    async (req) => {
      const q = req.query as {
        state?: AgentRecord['state'];
        unit?: string;
        q?: string;
        os?: string;
        av?: AgentListFilter['avStatus'];
        level?: number;
        system?: string;
        failingControl?: string;
        sort?: AgentListFilter['sort'];
        order?: 'asc' | 'desc';
        limit?: number;
        offset?: number;
      };
      let unitIds = scopeOf(req);
      if (q.unit) unitIds = unitIds.includes(q.unit) ? [q.unit] : [];
      const res = service.store.listAgents({
        unitIds,
        state: q.state,
        search: q.q,
        platform: q.os,
        avStatus: q.av,
        level: q.level,
        systemId: q.system,
        failingControl: q.failingControl,
        sort: q.sort,
        order: q.order,
        limit: q.limit ?? 100,
        offset: q.offset ?? 0,
      });
      return { total: res.total, items: res.items.map((a) => ({ ...summary(a), level: a.level, avStatus: a.avStatus })) };
    },
  );

  app.get(
    '/agents/:id',
    {
      schema: {
        tags: ['agents'],
        summary: 'One agent: latest posture, liveness history, recent events',
        params: Type.Object({ id: Type.String({ maxLength: 64 }) }),
        response: {
          200: Type.Object({
            agent: AgentSummary,
            posture: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
            stateHistory: Type.Array(Type.Object({ state: Type.String(), reason: Type.String(), at: Type.String() })),
            events: Type.Array(Type.Record(Type.String(), Type.Unknown())),
          }),
          '4xx': ErrorBody,
        },
      },
      preHandler: requireRole(service),
    },
    async (req) => {
      const { id } = req.params as { id: string };
      const a = service.store.agents.getWithPosture(id);
      // Out of scope looks exactly like absent, so ids of other units' machines cannot be probed.
      if (!a || !scopeOf(req).includes(a.unitId)) throw reject(404, 'unknown_agent', `no agent ${id}`);
      return {
        agent: summary(a),
        posture: a.posture as Record<string, unknown> | null,
        stateHistory: service.store.agents.stateHistory(id),
        events: service.store.agents.events(id) as Record<string, unknown>[],
      };
    },
  );
}
