// RBAC matrix over every registered route x every role x in-scope / out-of-scope unit, and a sweep proving
// that every non-public route refuses unauthenticated callers (no credentials, junk, expired, revoked,
// disabled). Routes are enumerated from the fastify instance itself, so a new route without a matrix entry
// fails here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InjectOptions } from 'fastify';
import { addUser, buildUnitTree, enrollTestAgent, json, startHarness, type Harness } from './harness.js';
import { MATRIX, ROLES, SOUTH_MARKERS, type Entry, type MatrixContext } from './rbac-matrix.js';
import { createApiToken, createUser, setUserDisabled } from '../../collector/auth/service.js';
import type { Role } from '../../collector/auth/types.js';
import { auditLog } from '../../collector/audit/index.js';

let h: Harness;
const tokens = {} as Record<Role, string>;
let ctx: MatrixContext;
const routes: { method: string; url: string }[] = [];

beforeAll(async () => {
  h = await startHarness();
  const app = h.collector.app;
  // printRoutes is the router's own view of what is registered (including routes of plugins like websocket).
  const tree = app.printRoutes({ commonPrefix: false, includeHooks: false });
  routes.push(...parseRouteTree(tree));
  buildUnitTree(h);
  for (const role of ROLES) tokens[role] = (await addUser(h, `${role.replace('_', '-')}-north`, role, ['north'])).token;
  let n = 0;
  const unique = (p: string) => `${p}-${++n}`;
  const freshUser = async (unit: 'north' | 'south') =>
    (await createUser(h.collector.store, { username: `fresh-${unit}-${++n}`, password: 'correct horse battery staple', role: 'auditor', unitIds: [unit] })).id;
  const userNorth = await freshUser('north');
  const userSouth = (await createUser(h.collector.store, { username: 'user-south', password: 'correct horse battery staple', role: 'auditor', unitIds: ['south'] })).id;
  createApiToken(h.collector.store, { userId: userSouth, name: 'south automation' });
  ctx = {
    agent: { north: enrollTestAgent(h, 'north', 'host-north').id, south: enrollTestAgent(h, 'south', 'host-south').id },
    freshAgent: (unit) => enrollTestAgent(h, unit, `host-${unit}-${++n}`).id,
    user: { north: userNorth, south: userSouth },
    freshUser,
    freshApiToken: async (unit) => createApiToken(h.collector.store, { userId: await freshUser(unit), name: 'to revoke' }).id,
    exportJob: { north: '', south: '' },
    freshAlert: (unit) => {
      const agentId = unit === 'north' ? ctx.agent.north : ctx.agent.south;
      const raised = h.collector.service.alerts!.apply(agentId, [
        { op: 'raise', kind: 'rbac_probe', key: `probe-${++n}`, severity: 'high', title: { vi: 'Kiểm thử', en: 'Probe' }, details: {}, at: new Date().toISOString() },
      ] as Parameters<NonNullable<typeof h.collector.service.alerts>['apply']>[1]);
      return raised[0]!.id;
    },
    unique,
  };
  // Something in south for every list to (not) show.
  ctx.freshAlert('south');
  const south = await southAdminToken();
  await h.collector.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: { authorization: `Bearer ${south}` }, payload: { unit: 'south' } });
  if (routes.some((r) => r.url === '/api/v1/evidence/exports')) {
    const start = async (token: string, unit: string) => {
      const res = await h.collector.app.inject({ method: 'POST', url: '/api/v1/evidence/exports', headers: { authorization: `Bearer ${token}` }, payload: { level: 1, unit } });
      expect(res.statusCode, res.body).toBe(202);
      return json(res).id as string;
    };
    ctx.exportJob = { north: await start(tokens.admin, 'north'), south: await start(south, 'south') };
  }
});

afterAll(async () => h?.close());

async function southAdminToken(): Promise<string> {
  return (await addUser(h, 'admin-south', 'admin', ['south'])).token;
}

/** Parses fastify's printRoutes tree ("├── /path (GET, HEAD)") into method + full path pairs. */
function parseRouteTree(tree: string): { method: string; url: string }[] {
  const out: { method: string; url: string }[] = [];
  const stack: { depth: number; path: string }[] = [];
  for (const line of tree.split('\n')) {
    const m = /^([\s│├└─]*?)([^\s│├└─].*?) \(([A-Z, ]+)\)$/.exec(line) ?? /^([\s│├└─]*?)([^\s│├└─].*)$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length;
    while (stack.length && stack[stack.length - 1]!.depth >= depth) stack.pop();
    const path = (stack.length ? stack[stack.length - 1]!.path : '') + m[2]!;
    stack.push({ depth, path });
    if (m[3]) for (const method of m[3].split(',').map((s) => s.trim())) out.push({ method, url: path.replace(/^\/\//, '/') });
  }
  return out;
}

const withToken = (o: InjectOptions, role: Role): InjectOptions => ({ ...o, headers: { ...(o.headers as Record<string, string>), authorization: `Bearer ${tokens[role]}` } });
// Built dashboard files have hashed names: they are one entry.
const keyOf = (r: { method: string; url: string }) => `${r.method === 'HEAD' ? 'GET' : r.method} ${r.url.startsWith('/assets/') ? '/assets/*' : r.url}`;

describe('RBAC matrix', () => {
  it('every registered route has a matrix entry (a new route must declare its access)', () => {
    expect(routes.length).toBeGreaterThan(20);
    const missing = [...new Set(routes.map(keyOf))].filter((k) => !MATRIX[k]);
    expect(missing, `add these routes to tests/security/rbac-matrix.ts: ${missing.join(', ')}`).toEqual([]);
  });

  it('every role x every route, in scope: allowed roles get 2xx, others 403', async () => {
    const failures: string[] = [];
    for (const key of [...new Set(routes.map(keyOf))]) {
      const entry = MATRIX[key] as Entry;
      if (!entry || 'access' in entry) continue;
      for (const role of ROLES) {
        const res = await h.collector.app.inject(withToken(await entry.inScope(ctx), role));
        const allowed = entry.roles.includes(role);
        const ok = allowed ? (res.statusCode >= 200 && res.statusCode < 300) || (entry.allowedStatuses ?? []).includes(res.statusCode) : res.statusCode === 403;
        if (!ok) failures.push(`${key} as ${role}: expected ${allowed ? 'allowed' : '403'}, got ${res.statusCode} ${res.body.slice(0, 160)}`);
        if (!allowed && res.statusCode === 403) expect(json(res).message, key).toBeTruthy();
      }
    }
    expect(failures).toEqual([]);
  });

  it('every state-changing route names the person and their address in the audit records it writes', async () => {
    // Routes hand the caller to the audit log explicitly (audit/context.ts); a route that forgets would write
    // the fallback actor (system "collector") with no address. Side effects of the rules (an alert closed when
    // its agent is retired) may name the system, but by another name.
    const audit = auditLog(h.collector.store);
    const failures: string[] = [];
    const wrote = new Set<string>();
    for (const key of [...new Set(routes.map(keyOf))]) {
      const entry = MATRIX[key] as Entry;
      if (!entry || 'access' in entry || !/^(POST|PUT|PATCH|DELETE) /.test(key)) continue;
      const before = audit.list({ limit: 1 })[0]?.seq ?? 0;
      const res = await h.collector.app.inject({ ...withToken(await entry.inScope(ctx), 'admin'), remoteAddress: '10.9.8.7' });
      if (res.statusCode >= 300) continue; // the status is the matrix test's business
      // An evidence export started earlier may finish meanwhile: its record names who asked, with no address.
      for (const r of audit.list({ limit: 100 }).filter((x) => x.seq > before && x.action !== 'evidence.export_finish')) {
        wrote.add(key);
        if (r.actor.type === 'system' && r.actor.name === 'collector') failures.push(`${key}: ${r.action} names no one`);
        if (r.actor.type === 'user' && (r.actor.name !== 'admin-north' || r.ip !== '10.9.8.7')) failures.push(`${key}: ${r.action} by ${r.actor.name} from ${r.ip}`);
      }
    }
    expect(failures).toEqual([]);
    // The check saw the routes that change users, tokens, units, agents, alerts and evidence.
    expect(wrote.size).toBeGreaterThan(10);
  });

  it('every role x every route, out of scope (unit south): refused, or answered without anything of south', async () => {
    const failures: string[] = [];
    for (const key of [...new Set(routes.map(keyOf))]) {
      const entry = MATRIX[key] as Entry;
      if (!entry || 'access' in entry || 'none' in entry.outOfScope) continue;
      for (const role of ROLES) {
        if ('deny' in entry.outOfScope) {
          const res = await h.collector.app.inject(withToken(await entry.outOfScope.deny(ctx), role));
          if (![403, 404].includes(res.statusCode)) failures.push(`${key} as ${role} (south): expected 403/404, got ${res.statusCode} ${res.body.slice(0, 160)}`);
        } else {
          const res = await h.collector.app.inject(withToken(await entry.outOfScope.filter(ctx), role));
          if (!entry.roles.includes(role)) {
            if (res.statusCode !== 403) failures.push(`${key} as ${role}: expected 403, got ${res.statusCode}`);
            continue;
          }
          const leaked = SOUTH_MARKERS.filter((m) => res.body.includes(m));
          if (res.statusCode !== 200 || leaked.length) failures.push(`${key} as ${role}: status ${res.statusCode}, shows ${leaked.join(', ')}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('the south admin does see south (the filter is scope, not absence of data)', async () => {
    const token = createApiToken(h.collector.store, { userId: h.collector.store.users.findByUsername('admin-south')!.user.id, name: 'probe' }).token;
    const res = await h.collector.app.inject({ method: 'GET', url: '/api/v1/agents', headers: { authorization: `Bearer ${token}` } });
    expect(res.body).toContain('host-south');
    expect(res.body).not.toContain('host-north');
  });

  it('a scoped API token narrows its owner: an admin of default with a token for north sees no south agent', async () => {
    const owner = await createUser(h.collector.store, { username: 'root-admin', password: 'correct horse battery staple', role: 'admin', unitIds: ['default'] });
    const wide = createApiToken(h.collector.store, { userId: owner.id, name: 'wide' }).token;
    const narrow = createApiToken(h.collector.store, { userId: owner.id, name: 'narrow', unitIds: ['north'] }).token;
    const list = async (t: string) => (await h.collector.app.inject({ method: 'GET', url: '/api/v1/agents', headers: { authorization: `Bearer ${t}` } })).body;
    expect(await list(wide)).toContain('host-south');
    expect(await list(narrow)).not.toContain('host-south');
    expect(await list(narrow)).toContain('host-north');
    // A token cannot be wider than its owner.
    expect(() => createApiToken(h.collector.store, { userId: h.collector.store.users.findByUsername('admin-north')!.user.id, name: 'x', unitIds: ['south'] })).toThrow(/outside the scope/);
  });
});

describe('unauthenticated requests are refused on every non-public route', () => {
  it('no credentials, junk bearer, expired, revoked and disabled-user tokens: 401 everywhere', async () => {
    const store = h.collector.store;
    const victim = await createUser(store, { username: 'victim', password: 'correct horse battery staple', role: 'admin', unitIds: ['default'] });
    const revoked = createApiToken(store, { userId: victim.id, name: 'revoked' });
    store.users.revokeApiToken(revoked.id, new Date().toISOString());
    const expired = createApiToken(store, { userId: victim.id, name: 'expired' });
    store.db.prepare('UPDATE api_tokens SET expires_at = ? WHERE id = ?').run(new Date(Date.now() - 1000).toISOString(), expired.id);
    const disabledOwner = await createUser(store, { username: 'gone', password: 'correct horse battery staple', role: 'admin', unitIds: ['default'] });
    const disabled = createApiToken(store, { userId: disabledOwner.id, name: 'of a disabled user' });
    setUserDisabled(store, disabledOwner.id, true);
    const variants: Record<string, Record<string, string>> = {
      none: {},
      junkBearer: { authorization: 'Bearer sla_' + 'A'.repeat(43) },
      notBearer: { authorization: 'Basic YWRtaW46YWRtaW4=' },
      junkCookie: { cookie: 'soclite_session=' + 'x'.repeat(43) },
      revoked: { authorization: `Bearer ${revoked.token}` },
      expired: { authorization: `Bearer ${expired.token}` },
      disabledUser: { authorization: `Bearer ${disabled.token}` },
    };
    const failures: string[] = [];
    let checked = 0;
    for (const r of routes) {
      const entry = MATRIX[keyOf(r)];
      if (!entry || 'access' in entry) continue;
      const url = r.url.replace(/:id/g, ctx.agent.north);
      for (const [name, headers] of Object.entries(variants)) {
        const res = await h.collector.app.inject({ method: r.method as 'GET', url, headers: { ...headers, 'content-type': 'application/json' }, payload: r.method === 'GET' || r.method === 'HEAD' ? undefined : '{}' });
        checked++;
        if (res.statusCode !== 401) failures.push(`${r.method} ${r.url} with ${name}: ${res.statusCode}`);
        else if (r.method !== 'HEAD' && json(res).code !== 'unauthenticated') failures.push(`${r.method} ${r.url} with ${name}: code ${String(json(res).code)}`);
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(100);
    // The public ones answer without credentials (with their own checks).
    expect((await h.collector.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await h.collector.app.inject({ method: 'POST', url: '/api/v1/enroll', payload: {} })).statusCode).toBe(400);
  });

  it('a session cookie without the CSRF header cannot change state; with it, it can', async () => {
    const login = await h.collector.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'admin-north', password: 'correct horse battery staple' } });
    expect(login.statusCode).toBe(200);
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    expect(String(login.headers['set-cookie'])).toMatch(/HttpOnly/);
    expect(String(login.headers['set-cookie'])).toMatch(/SameSite=Strict/);
    const csrf = json(login).csrfToken as string;
    const body = { unit: 'north', maxUses: 1 };
    const no = await h.collector.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: { cookie }, payload: body });
    expect(no.statusCode).toBe(403);
    expect(json(no).code).toBe('csrf');
    const wrong = await h.collector.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: { cookie, 'x-csrf-token': csrf.slice(1) + 'x' }, payload: body });
    expect(wrong.statusCode).toBe(403);
    const ok = await h.collector.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: { cookie, 'x-csrf-token': csrf }, payload: body });
    expect(ok.statusCode).toBe(201);
    const read = await h.collector.app.inject({ method: 'GET', url: '/api/v1/agents', headers: { cookie } });
    expect(read.statusCode).toBe(200);
    const out = await h.collector.app.inject({ method: 'DELETE', url: '/api/v1/session', headers: { cookie, 'x-csrf-token': csrf } });
    expect(out.statusCode).toBe(204);
    expect((await h.collector.app.inject({ method: 'GET', url: '/api/v1/agents', headers: { cookie } })).statusCode).toBe(401);
  });

  it('API answers carry security headers and are not cached', async () => {
    const res = await h.collector.app.inject({ method: 'GET', url: '/api/v1/agents', headers: { authorization: `Bearer ${tokens.auditor}` } });
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBeDefined();
    expect(String(res.headers['content-security-policy'])).toMatch(/default-src 'self'/);
  });
});
