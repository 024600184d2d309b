// Alert API: list and read alerts in the caller's units (every role), and act on them (incident responders,
// IT staff, admins; auditors read only). Routes only translate HTTP <-> AlertService calls.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { ErrorBody } from '../../../protocol/index.js';
import { ALERT_STATUSES, type Alert, type AlertStatus } from '../../alerts/types.js';
import type { AlertService } from '../../alerts/service.js';
import type { LifecycleAction } from '../../alerts/lifecycle.js';
import { MAX_NOTE_CHARS, MAX_REASON_CHARS } from '../../alerts/lifecycle.js';
import { SEVERITIES, type Severity } from '../../forward/types.js';
import { reject } from '../../fleet/errors.js';
import type { Role } from '../../auth/types.js';
import type { CollectorService } from '../../service.js';
import { callerScope, requireRole, requestActor } from '../auth-hooks.js';

export const ALERT_ACTORS: Role[] = ['incident_responder', 'it_staff', 'admin'];

const Localized = Type.Object({ vi: Type.String(), en: Type.String() });
const AlertView = Type.Object({
  id: Type.String(),
  agentId: Type.String(),
  unitId: Type.String(),
  kind: Type.String(),
  key: Type.String(),
  severity: Type.String(),
  status: Type.String(),
  title: Localized,
  details: Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()])),
  level: Type.Integer(),
  occurrences: Type.Integer(),
  firstSeenAt: Type.String(),
  lastSeenAt: Type.String(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  assignee: Type.Union([Type.String(), Type.Null()]),
  acknowledgedAt: Type.Union([Type.String(), Type.Null()]),
  acknowledgedBy: Type.Union([Type.String(), Type.Null()]),
  resolvedAt: Type.Union([Type.String(), Type.Null()]),
  resolvedBy: Type.Union([Type.String(), Type.Null()]),
  resolution: Type.Union([Type.String(), Type.Null()]),
  suppressedUntil: Type.Union([Type.String(), Type.Null()]),
  suppressReason: Type.Union([Type.String(), Type.Null()]),
  /** The machine's hostname as enrolled, so a responder does not have to look the agent id up. */
  hostname: Type.Union([Type.String(), Type.Null()]),
});

const view = (a: Alert, hostnames: (id: string) => string | null) => {
  const { step: _step, ...rest } = a;
  return { ...rest, hostname: hostnames(a.agentId) };
};

/** Hostnames by agent id, looked up once per agent for one answer. */
function hostnameLookup(service: CollectorService): (id: string) => string | null {
  const cache = new Map<string, string | null>();
  return (id) => {
    if (!cache.has(id)) cache.set(id, service.store.agents.get(id)?.hostname ?? null);
    return cache.get(id)!;
  };
}

/** Comma-separated lists are accepted for multi-value filters: ?status=open,acknowledged */
const CsvOf = (values: readonly string[]) => Type.String({ pattern: `^(${values.join('|')})(,(${values.join('|')}))*$`, maxLength: 200 });

const ListQuery = Type.Object(
  {
    status: Type.Optional(CsvOf(ALERT_STATUSES)),
    severity: Type.Optional(CsvOf(SEVERITIES)),
    kind: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9_]{1,62}(,[a-z][a-z0-9_]{1,62})*$', maxLength: 500 })),
    agent: Type.Optional(Type.String({ maxLength: 64 })),
    unit: Type.Optional(Type.String({ maxLength: 64 })),
    // Query strings are text (the API does not coerce types): digits, checked for range below.
    limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,4}$', description: '1-1000, default 100' })),
    offset: Type.Optional(Type.String({ pattern: '^[0-9]{1,9}$', description: 'default 0' })),
  },
  { additionalProperties: false },
);

const Params = Type.Object({ id: Type.String({ maxLength: 64 }) });
const ResolveBody = Type.Object({ resolution: Type.String({ minLength: 1, maxLength: MAX_REASON_CHARS }) }, { additionalProperties: false });
const AssignBody = Type.Object(
  { assignee: Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()], { description: 'username, or null to unassign' }) },
  { additionalProperties: false },
);
const NoteBody = Type.Object({ text: Type.String({ minLength: 1, maxLength: MAX_NOTE_CHARS }) }, { additionalProperties: false });
const SuppressBody = Type.Object(
  {
    reason: Type.String({ minLength: 1, maxLength: MAX_REASON_CHARS }),
    until: Type.String({ format: 'date-time', description: 'when the suppression ends and the alert re-opens' }),
  },
  { additionalProperties: false },
);

function alertsOf(service: CollectorService): AlertService {
  if (!service.alerts) throw reject(503, 'alerts_unavailable', 'the alert service is not running on this collector');
  return service.alerts;
}

export async function alertRoutes(app: FastifyInstance, opts: { service: CollectorService }) {
  const { service } = opts;
  const anyRole = requireRole(service);
  const actors = requireRole(service, ALERT_ACTORS);

  app.get(
    '/alerts',
    {
      schema: {
        tags: ['alerts'],
        summary: 'Alerts in my units, newest first',
        querystring: ListQuery,
        response: { 200: Type.Object({ total: Type.Integer(), items: Type.Array(AlertView) }), '4xx': ErrorBody },
      },
      preHandler: anyRole,
    },
    async (req) => {
      const q = req.query as { status?: string; severity?: string; kind?: string; agent?: string; unit?: string; limit?: string; offset?: string };
      const limit = q.limit === undefined ? 100 : Number(q.limit);
      if (limit < 1 || limit > 1000) throw reject(400, 'invalid_querystring', 'limit must be between 1 and 1000');
      let unitIds = callerScope(service, req);
      if (q.unit) unitIds = unitIds.includes(q.unit) ? [q.unit] : [];
      const res = alertsOf(service).list({
        unitIds,
        status: q.status?.split(',') as AlertStatus[] | undefined,
        severity: q.severity?.split(',') as Severity[] | undefined,
        kind: q.kind?.split(','),
        agentId: q.agent,
        limit,
        offset: q.offset === undefined ? 0 : Number(q.offset),
      });
      const names = hostnameLookup(service);
      return { total: res.total, items: res.items.map((a) => view(a, names)) };
    },
  );

  app.get(
    '/alerts/:id',
    {
      schema: {
        tags: ['alerts'],
        summary: 'One alert with its notes and history',
        params: Params,
        response: {
          200: Type.Object({
            alert: AlertView,
            notes: Type.Array(Type.Object({ at: Type.String(), author: Type.String(), text: Type.String() })),
            history: Type.Array(
              Type.Object({
                at: Type.String(),
                action: Type.String(),
                actor: Type.String(),
                fromStatus: Type.Union([Type.String(), Type.Null()]),
                toStatus: Type.String(),
                details: Type.Record(Type.String(), Type.Unknown()),
              }),
            ),
          }),
          '4xx': ErrorBody,
        },
      },
      preHandler: anyRole,
    },
    async (req) => {
      const { id } = req.params as { id: string };
      const r = alertsOf(service).get(id, callerScope(service, req));
      return { ...r, alert: view(r.alert, hostnameLookup(service)) };
    },
  );

  const action = (name: string, summary: string, body: object | undefined, toAction: (b: Record<string, unknown>) => LifecycleAction) =>
    app.post(
      `/alerts/:id/${name}`,
      {
        schema: { tags: ['alerts'], summary, params: Params, ...(body ? { body } : {}), response: { 200: Type.Object({ alert: AlertView }), '4xx': ErrorBody } },
        preHandler: actors,
      },
      async (req: FastifyRequest) => {
        const { id } = req.params as { id: string };
        const user = req.principal!.user;
        const alert = alertsOf(service).act(id, toAction((req.body ?? {}) as Record<string, unknown>), { name: user.username, request: requestActor(req) }, callerScope(service, req));
        return { alert: view(alert, hostnameLookup(service)) };
      },
    );

  action('acknowledge', 'Acknowledge an open alert (no body)', undefined, () => ({ type: 'acknowledge' }));
  action('resolve', 'Resolve an alert, saying how', ResolveBody, (b) => ({ type: 'resolve', resolution: String(b.resolution), auto: false }));
  action('assign', 'Assign an alert to a user (null unassigns)', AssignBody, (b) => ({ type: 'assign', assignee: (b.assignee as string | null) ?? null }));
  action('notes', 'Add a note to an alert', NoteBody, (b) => ({ type: 'note', text: String(b.text) }));
  action('suppress', 'Suppress an alert until a time, with a reason: repeats are counted, not re-raised', SuppressBody, (b) => ({
    type: 'suppress',
    reason: String(b.reason),
    until: String(b.until),
  }));
}
