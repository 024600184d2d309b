// The access matrix: for every route the app registers, who may call it and what "out of scope" means.
// A route without an entry here fails tests/security/rbac.test.ts: adding a route means deciding its access.
import type { InjectOptions } from 'fastify';
import type { Role } from '../../collector/auth/types.js';

export const ROLES: Role[] = ['admin', 'it_staff', 'incident_responder', 'auditor'];
const ALL: Role[] = ROLES;
const STAFF: Role[] = ['admin', 'it_staff'];
const ADMIN: Role[] = ['admin'];
const AUDIT_READERS: Role[] = ['admin', 'auditor'];
const ALERT_ACTORS: Role[] = ['admin', 'it_staff', 'incident_responder'];
const EXPORTERS: Role[] = ['admin', 'auditor', 'it_staff'];

/** What a matrix request may use: fixtures in unit north (in scope) and south (out of scope). */
export interface MatrixContext {
  /** A fresh agent in the unit, for requests that change it. */
  freshAgent(unit: 'north' | 'south'): string;
  agent: { north: string; south: string };
  /** A fresh auditor user in the unit, for requests that change it. */
  freshUser(unit: 'north' | 'south'): Promise<string>;
  user: { north: string; south: string };
  freshApiToken(unit: 'north' | 'south'): Promise<string>;
  /** Evidence export jobs started in beforeAll, one per unit. */
  exportJob: { north: string; south: string };
  /** A fresh open alert on an agent of the unit (raised through the alert service). */
  freshAlert(unit: 'north' | 'south'): string;
  unique(prefix: string): string;
}

export type Build = (ctx: MatrixContext) => InjectOptions | Promise<InjectOptions>;

export type Entry =
  | { access: 'public'; why: string }
  | {
      /** Roles allowed on an in-scope request (they get 2xx); every other role gets 403. */
      roles: Role[];
      inScope: Build;
      /**
       * The same request aimed at unit south: `deny` = refused (403/404) for every role; `filter` = answered,
       * but nothing of unit south appears; null = the route concerns no unit (with the reason).
       */
      outOfScope: { deny: Build } | { filter: Build } | { none: string };
      /** Statuses that count as "allowed" besides 2xx (e.g. a WebSocket route asked without an upgrade). */
      allowedStatuses?: number[];
    };

const sha = 'a'.repeat(64);
const later = (days: number) => new Date(Date.now() + days * 86400_000).toISOString();

export const MATRIX: Record<string, Entry> = {
  'GET /': { access: 'public', why: 'the dashboard page (login form); it holds no data' },
  'GET /index.html': { access: 'public', why: 'the dashboard page' },
  'GET /*': { access: 'public', why: 'dashboard client-side routes: the same page' },
  'GET /assets/*': { access: 'public', why: 'the dashboard’s built scripts and styles' },
  'GET /healthz': { access: 'public', why: 'liveness probe, counts only' },
  'GET /metrics': { access: 'public', why: 'Prometheus; put behind auth.metricsToken by config' },
  'POST /api/v1/enroll': { access: 'public', why: 'protected by the enrollment token and key proof' },
  'POST /api/v1/agents/:id/reports': { access: 'public', why: 'protected by the agent signature' },
  'POST /api/v1/agents/:id/sessions': { access: 'public', why: 'protected by the agent signature (opens a session whose MAC then protects reports)' },
  'POST /api/v1/session': { access: 'public', why: 'login' },

  'GET /api/v1/openapi.json': { roles: ALL, inScope: () => ({ method: 'GET', url: '/api/v1/openapi.json' }), outOfScope: { none: 'API description, no unit data' } },
  'GET /api/v1/session': { roles: ALL, inScope: () => ({ method: 'GET', url: '/api/v1/session' }), outOfScope: { none: 'the caller themself' } },
  'DELETE /api/v1/session': { roles: ALL, inScope: () => ({ method: 'DELETE', url: '/api/v1/session' }), outOfScope: { none: 'the caller themself' } },
  'POST /api/v1/session/password': {
    roles: ALL,
    inScope: () => ({ method: 'POST', url: '/api/v1/session/password', payload: { currentPassword: 'correct horse battery staple', newPassword: 'correct horse battery staple' } }),
    outOfScope: { none: 'the caller’s own password' },
  },

  'GET /api/v1/agents': {
    roles: ALL,
    inScope: () => ({ method: 'GET', url: '/api/v1/agents' }),
    outOfScope: { filter: () => ({ method: 'GET', url: '/api/v1/agents?unit=south' }) },
  },
  'GET /api/v1/agents/:id': {
    roles: ALL,
    inScope: (c) => ({ method: 'GET', url: `/api/v1/agents/${c.agent.north}` }),
    outOfScope: { deny: (c) => ({ method: 'GET', url: `/api/v1/agents/${c.agent.south}` }) },
  },
  'POST /api/v1/agents/:id/retire': {
    roles: STAFF,
    inScope: (c) => ({ method: 'POST', url: `/api/v1/agents/${c.freshAgent('north')}/retire`, payload: { reason: 'decommissioned' } }),
    outOfScope: { deny: (c) => ({ method: 'POST', url: `/api/v1/agents/${c.freshAgent('south')}/retire`, payload: { reason: 'decommissioned' } }) },
  },

  'GET /api/v1/users': {
    roles: ADMIN,
    inScope: () => ({ method: 'GET', url: '/api/v1/users' }),
    outOfScope: { filter: () => ({ method: 'GET', url: '/api/v1/users' }) },
  },
  'GET /api/v1/users/:id': {
    roles: ADMIN,
    inScope: (c) => ({ method: 'GET', url: `/api/v1/users/${c.user.north}` }),
    outOfScope: { deny: (c) => ({ method: 'GET', url: `/api/v1/users/${c.user.south}` }) },
  },
  'POST /api/v1/users': {
    roles: ADMIN,
    inScope: (c) => ({ method: 'POST', url: '/api/v1/users', payload: { username: c.unique('u'), password: 'a long enough password', role: 'auditor', unitIds: ['north'] } }),
    outOfScope: { deny: (c) => ({ method: 'POST', url: '/api/v1/users', payload: { username: c.unique('u'), password: 'a long enough password', role: 'auditor', unitIds: ['south'] } }) },
  },
  'PATCH /api/v1/users/:id': {
    roles: ADMIN,
    inScope: async (c) => ({ method: 'PATCH', url: `/api/v1/users/${await c.freshUser('north')}`, payload: { role: 'incident_responder' } }),
    outOfScope: { deny: async (c) => ({ method: 'PATCH', url: `/api/v1/users/${await c.freshUser('south')}`, payload: { role: 'incident_responder' } }) },
  },
  'POST /api/v1/users/:id/password': {
    roles: ADMIN,
    inScope: async (c) => ({ method: 'POST', url: `/api/v1/users/${await c.freshUser('north')}/password`, payload: { password: 'another long password' } }),
    outOfScope: { deny: async (c) => ({ method: 'POST', url: `/api/v1/users/${await c.freshUser('south')}/password`, payload: { password: 'another long password' } }) },
  },

  'GET /api/v1/tokens': {
    roles: STAFF,
    inScope: () => ({ method: 'GET', url: '/api/v1/tokens' }),
    outOfScope: { filter: () => ({ method: 'GET', url: '/api/v1/tokens' }) },
  },
  'POST /api/v1/tokens': {
    roles: STAFF,
    inScope: () => ({ method: 'POST', url: '/api/v1/tokens', payload: { unit: 'north', maxUses: 1 } }),
    outOfScope: { deny: () => ({ method: 'POST', url: '/api/v1/tokens', payload: { unit: 'south', maxUses: 1 } }) },
  },
  'GET /api/v1/api-tokens': {
    roles: ADMIN,
    inScope: () => ({ method: 'GET', url: '/api/v1/api-tokens' }),
    outOfScope: { filter: () => ({ method: 'GET', url: '/api/v1/api-tokens' }) },
  },
  'POST /api/v1/api-tokens': {
    roles: ADMIN,
    inScope: (c) => ({ method: 'POST', url: '/api/v1/api-tokens', payload: { userId: c.user.north, name: 'ci', ttlDays: 1 } }),
    outOfScope: { deny: (c) => ({ method: 'POST', url: '/api/v1/api-tokens', payload: { userId: c.user.south, name: 'ci', ttlDays: 1 } }) },
  },
  'DELETE /api/v1/api-tokens/:id': {
    roles: ADMIN,
    inScope: async (c) => ({ method: 'DELETE', url: `/api/v1/api-tokens/${await c.freshApiToken('north')}` }),
    outOfScope: { deny: async (c) => ({ method: 'DELETE', url: `/api/v1/api-tokens/${await c.freshApiToken('south')}` }) },
  },

  'GET /api/v1/units': {
    roles: ALL,
    inScope: () => ({ method: 'GET', url: '/api/v1/units' }),
    outOfScope: { filter: () => ({ method: 'GET', url: '/api/v1/units' }) },
  },
  'POST /api/v1/units': {
    roles: STAFF,
    inScope: (c) => ({ method: 'POST', url: '/api/v1/units', payload: { id: c.unique('unit'), name: 'Phòng mới', parentId: 'north' } }),
    outOfScope: { deny: (c) => ({ method: 'POST', url: '/api/v1/units', payload: { id: c.unique('unit'), name: 'Phòng mới', parentId: 'south' } }) },
  },

  'GET /api/v1/audit': {
    roles: AUDIT_READERS,
    inScope: () => ({ method: 'GET', url: '/api/v1/audit?limit=1000' }),
    outOfScope: { filter: () => ({ method: 'GET', url: '/api/v1/audit?limit=1000' }) },
  },
  'GET /api/v1/audit/verify': { roles: AUDIT_READERS, inScope: () => ({ method: 'GET', url: '/api/v1/audit/verify' }), outOfScope: { none: 'chain check over all records; returns counts only' } },

  // Routes of other rooms, as their code declares them (readers: every role; writers: IT staff).
  'GET /api/v1/overview': {
    roles: ALL,
    inScope: () => ({ method: 'GET', url: '/api/v1/overview' }),
    outOfScope: { filter: () => ({ method: 'GET', url: '/api/v1/overview' }) },
  },
  'GET /api/v1/live': {
    roles: ALL,
    inScope: () => ({ method: 'GET', url: '/api/v1/live' }),
    outOfScope: { none: 'the socket filters deltas by unit (tested in the live room)' },
    // A plain GET (no WebSocket upgrade) is not served, but it must get past authentication and role checks.
    allowedStatuses: [400, 404, 426],
  },
  'GET /api/v1/forward/destinations': {
    roles: ['admin', 'it_staff', 'incident_responder'],
    inScope: () => ({ method: 'GET', url: '/api/v1/forward/destinations' }),
    outOfScope: { none: 'destinations belong to the organisation, not to a unit' },
  },
  'GET /api/v1/compliance/trend': {
    roles: ALL,
    inScope: () => ({ method: 'GET', url: '/api/v1/compliance/trend?unit=north' }),
    outOfScope: { filter: () => ({ method: 'GET', url: '/api/v1/compliance/trend?unit=south' }) },
  },
  'GET /api/v1/compliance': {
    roles: ALL,
    inScope: () => ({ method: 'GET', url: '/api/v1/compliance?unit=north' }),
    outOfScope: { filter: () => ({ method: 'GET', url: '/api/v1/compliance?unit=south' }) },
  },
  'POST /api/v1/evidence/exports': {
    roles: EXPORTERS,
    inScope: () => ({ method: 'POST', url: '/api/v1/evidence/exports', payload: { level: 1, unit: 'north' } }),
    outOfScope: { deny: () => ({ method: 'POST', url: '/api/v1/evidence/exports', payload: { level: 1, unit: 'south' } }) },
    // The export queue is bounded: "busy" is an answer past authentication and scope.
    allowedStatuses: [429],
  },
  'GET /api/v1/evidence/exports': {
    roles: EXPORTERS,
    inScope: () => ({ method: 'GET', url: '/api/v1/evidence/exports' }),
    outOfScope: { filter: () => ({ method: 'GET', url: '/api/v1/evidence/exports' }) },
  },
  'GET /api/v1/evidence/exports/:id': {
    roles: EXPORTERS,
    inScope: (c) => ({ method: 'GET', url: `/api/v1/evidence/exports/${c.exportJob.north}` }),
    outOfScope: { deny: (c) => ({ method: 'GET', url: `/api/v1/evidence/exports/${c.exportJob.south}` }) },
  },
  'GET /api/v1/evidence/exports/:id/download': {
    roles: EXPORTERS,
    inScope: (c) => ({ method: 'GET', url: `/api/v1/evidence/exports/${c.exportJob.north}/download` }),
    outOfScope: { deny: (c) => ({ method: 'GET', url: `/api/v1/evidence/exports/${c.exportJob.south}/download` }) },
    // A job still running answers 409 (past authentication and scope).
    allowedStatuses: [409],
  },
  'GET /api/v1/compliance/controls/:id': {
    roles: ALL,
    inScope: () => ({ method: 'GET', url: '/api/v1/compliance/controls/no-such-control' }),
    outOfScope: { none: 'a control explanation is policy data; per-unit counts are filtered by the compliance room' },
    allowedStatuses: [404],
  },
  'GET /api/v1/agents/:id/findings': {
    roles: ALL,
    inScope: (c) => ({ method: 'GET', url: `/api/v1/agents/${c.agent.north}/findings` }),
    outOfScope: { deny: (c) => ({ method: 'GET', url: `/api/v1/agents/${c.agent.south}/findings` }) },
  },
  'GET /api/v1/systems': {
    roles: ALL,
    inScope: () => ({ method: 'GET', url: '/api/v1/systems' }),
    outOfScope: { filter: () => ({ method: 'GET', url: '/api/v1/systems' }) },
  },
  'POST /api/v1/systems': {
    roles: STAFF,
    inScope: (c) => ({ method: 'POST', url: '/api/v1/systems', payload: { id: c.unique('sys'), unitId: 'north', name: 'Cổng thông tin', level: 2 } }),
    outOfScope: { deny: (c) => ({ method: 'POST', url: '/api/v1/systems', payload: { id: c.unique('sys'), unitId: 'south', name: 'Cổng thông tin', level: 2 } }) },
  },
  'PUT /api/v1/agents/:id/systems': {
    roles: STAFF,
    inScope: (c) => ({ method: 'PUT', url: `/api/v1/agents/${c.agent.north}/systems`, payload: { systemIds: [] } }),
    outOfScope: { deny: (c) => ({ method: 'PUT', url: `/api/v1/agents/${c.agent.south}/systems`, payload: { systemIds: [] } }) },
  },
  'GET /api/v1/attestations': {
    roles: ALL,
    inScope: () => ({ method: 'GET', url: '/api/v1/attestations' }),
    outOfScope: { filter: () => ({ method: 'GET', url: '/api/v1/attestations' }) },
  },
  'POST /api/v1/attestations': {
    roles: STAFF,
    inScope: () => ({
      method: 'POST',
      url: '/api/v1/attestations',
      payload: { kind: 'training', title: 'Tập huấn ATTT', documentSha256: sha, unitId: 'north', validFrom: new Date().toISOString(), validUntil: later(30) },
    }),
    outOfScope: {
      deny: () => ({
        method: 'POST',
        url: '/api/v1/attestations',
        payload: { kind: 'training', title: 'Tập huấn ATTT', documentSha256: sha, unitId: 'south', validFrom: new Date().toISOString(), validUntil: later(30) },
      }),
    },
  },

  'GET /api/v1/alerts': {
    roles: ALL,
    inScope: () => ({ method: 'GET', url: '/api/v1/alerts' }),
    outOfScope: { filter: () => ({ method: 'GET', url: '/api/v1/alerts' }) },
  },
  'GET /api/v1/alerts/:id': {
    roles: ALL,
    inScope: (c) => ({ method: 'GET', url: `/api/v1/alerts/${c.freshAlert('north')}` }),
    outOfScope: { deny: (c) => ({ method: 'GET', url: `/api/v1/alerts/${c.freshAlert('south')}` }) },
  },
  ...alertAction('acknowledge', undefined),
  ...alertAction('assign', { assignee: null }),
  ...alertAction('resolve', { resolution: 'reimaged' }),
  ...alertAction('notes', { text: 'đã kiểm tra / checked' }),
  ...alertAction('suppress', { reason: 'maintenance window', until: later(1) }),
};

function alertAction(name: string, payload: Record<string, unknown> | undefined): Record<string, Entry> {
  return {
    [`POST /api/v1/alerts/:id/${name}`]: {
      roles: ALERT_ACTORS,
      inScope: (c) => ({ method: 'POST', url: `/api/v1/alerts/${c.freshAlert('north')}/${name}`, ...(payload ? { payload } : {}) }),
      outOfScope: { deny: (c) => ({ method: 'POST', url: `/api/v1/alerts/${c.freshAlert('south')}/${name}`, ...(payload ? { payload } : {}) }) },
    },
  };
}

/** Text that marks unit south's fixtures in an answer (for `filter` checks). */
export const SOUTH_MARKERS = ['south', 'host-south', 'user-south'];
