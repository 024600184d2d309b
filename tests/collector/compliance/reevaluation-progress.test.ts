// A fleet-wide re-evaluation (after a policy or attestation change) takes minutes at 100,000 agents, and until
// it ends some findings are of the previous policy. /compliance and /metrics say that it runs and how far it
// has gone, and the dashboard's compliance page shows it. A real collector on disk (so with its page warmer),
// signed postures over HTTP, Debian's Chromium; the sweep is held still by making the warmer's read of one
// agent wait, which the pass awaits before evaluating that agent.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../collector/config/load.js';
import { createLogger, startCollector, type RunningCollector } from '../../../collector/server.js';
import { postureHash, type Posture } from '../../../protocol/index.js';
import { REPO_ROOT } from '../../helpers/cli.js';
import { enrollDirect, type EnrolledTestAgent } from '../../helpers/enroll.js';
import { postSigned } from '../../helpers/signed-requests.js';
import { User } from '../../helpers/api.js';
import { ATTESTATION_KINDS } from '../../../collector/policy/index.js';
import { buildDashboard } from '../../dashboard/build.js';
import { launchChromium } from '../../dashboard/browser.js';

let c: RunningCollector;
let agents: EnrolledTestAgent[];
let admin: User;
let scoped: User;

interface Reevaluation {
  reason: string;
  startedAt: string;
  percent: number;
  done?: number;
  total?: number;
}
const reevaluation = async (u: User) => (await u.get<{ reevaluation: Reevaluation | null }>('/api/v1/compliance')).body.reevaluation;
const remainingMetric = async () => {
  const text = await (await fetch(new URL('/metrics', c.url))).text();
  return Number(/^soclite_policy_reevaluation_remaining_agents (\S+)$/m.exec(text)?.[1]);
};

beforeAll(async () => {
  // The dashboard as built from the current source, served by this collector (collector/http/routes/dashboard.ts).
  process.env.SOCLITE_DASHBOARD_DIST = await buildDashboard();
  // The periodic slices (a tick a minute at this period) stay out of the way: only the sweeps read pages here.
  const config = loadConfig({ dataDir: join(mkdtempSync(join(tmpdir(), 'soclite-sweep-progress-')), 'data'), port: 0 }, { SOCLITE_POLICY_REEVALUATEEVERYSEC: '1000000000' });
  c = await startCollector(config, createLogger('silent'));
  admin = await new User(c.url).login('admin', c.adminPassword!);
  expect((await admin.call('POST', '/api/v1/units', { id: 'north', name: 'Phòng phía Bắc', parentId: 'default', defaultLevel: 3 })).status).toBe(201);
  const password = 'mot mat khau du dai 2026';
  expect((await admin.call('POST', '/api/v1/users', { username: 'it-bac', password, role: 'it_staff', unitIds: ['north'] })).status).toBe(201);
  scoped = await new User(c.url).login('it-bac', password);
  agents = ['p0', 'p1', 'p2', 'p3'].map((h, i) => enrollDirect(c, h, i === 3 ? 'north' : 'default'));
  const fixture = readFileSync(join(REPO_ROOT, 'tests/fixtures/postures/linux-server-compliant.json'), 'utf8');
  for (const a of agents) {
    const p = JSON.parse(fixture) as Posture;
    p.agent = { ...p.agent, id: a.id, seq: 1, collectedAt: new Date().toISOString() };
    const res = await postSigned(c.url, a.id, a.privateKey, 1, JSON.stringify({ kind: 'posture', seq: 1, postureHash: postureHash(p), posture: p }));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }
});
afterAll(async () => c?.close());

/**
 * Makes the page warmer's read of one agent wait until released: the pass awaits it before evaluating that
 * agent, so a sweep stands still there, with the agents before it done.
 */
function holdSweepAt(collector: RunningCollector, agentId: string) {
  const warmer = collector.service.pageWarmer!;
  expect(warmer, 'a collector on disk reads pages ahead with its warmer').toBeDefined();
  const realWarm = warmer.warm.bind(warmer);
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let reached!: () => void;
  const atAgent = new Promise<void>((r) => (reached = r));
  warmer.warm = async (id: string) => {
    if (id === agentId) {
      reached();
      await held;
    }
    return realWarm(id);
  };
  return {
    atAgent,
    release: () => release(),
    restore: () => {
      release();
      warmer.warm = realWarm;
    },
  };
}

it('shows a sweep under way in /compliance and /metrics, whole-fleet counts only to users who see every unit, and nothing once it ended', async () => {
  expect(await reevaluation(admin)).toBeNull();
  expect(await remainingMetric()).toBe(0);

  const hold = holdSweepAt(c, agents[2]!.id);
  try {
    const before = Date.now();
    const sweep = c.service.compliance.reevaluateAll('policy_changed');
    await hold.atAgent;

    const seen = await reevaluation(admin);
    expect(seen).toMatchObject({ reason: 'policy_changed', done: 2, total: 4, percent: 50 });
    expect(Date.parse(seen!.startedAt)).toBeGreaterThanOrEqual(before - 1000);
    // A user of one unit learns that findings are moving and how far, not how many machines the province has.
    const theirs = await reevaluation(scoped);
    expect(theirs).toEqual({ reason: 'policy_changed', startedAt: seen!.startedAt, percent: 50 });
    expect(await remainingMetric()).toBe(2);

    hold.release();
    expect(await sweep).toBe(4);
  } finally {
    hold.restore();
  }
  expect(await reevaluation(admin)).toBeNull();
  expect(await reevaluation(scoped)).toBeNull();
  expect(await remainingMetric()).toBe(0);
});

it('shows the compliance page’s notice with its progress while a sweep runs, in Vietnamese and English, and takes it away when it ends', async () => {
  const hold = holdSweepAt(c, agents[1]!.id);
  const ctx = await launchChromium();
  try {
    const sweep = c.service.compliance.reevaluateAll('policy_changed');
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    let summaries = 0;
    page.on('request', (r) => void (new URL(r.url()).pathname === '/api/v1/compliance' && summaries++));
    await page.goto(c.url + '/compliance');
    await page.fill('input[name=username]', 'admin');
    await page.fill('input[name=password]', c.adminPassword!);
    await page.click('button[type=submit]');
    const notice = page.locator('[data-testid=reevaluation]');
    await expect.poll(() => notice.textContent(), { timeout: 15_000 }).toContain('1 / 4 máy (25 %)');
    expect(await notice.textContent()).toContain('Chính sách đã thay đổi');
    expect(await notice.locator('progress').getAttribute('value')).toBe('25');
    await page.click('[data-testid=lang-switch]');
    await expect.poll(() => notice.textContent()).toContain('1 of 4 machines (25 %)');
    // The page asks again while a sweep runs (no live delta says a sweep moved): a third request, after the
    // first load and the one the live socket's first message brings, comes only from that.
    await expect.poll(() => summaries, { timeout: 15_000 }).toBeGreaterThanOrEqual(3);
    expect(await notice.count()).toBe(1);
    hold.release();
    expect(await sweep).toBe(4);
    await expect.poll(() => notice.count(), { timeout: 15_000 }).toBe(0);
    expect(await page.locator('[data-testid=levels]').count()).toBe(1);
  } finally {
    hold.restore();
    await ctx.close();
  }
});

it('has an evidence export of "now" wait for the sweep and read after it, while one of an earlier instant goes ahead', async () => {
  interface Job {
    id: string;
    status: string;
    scope: { to: string; asOf: string | null };
    progress: { phase: string; done: number; total: number };
    error: string | null;
  }
  const job = async (id: string) => (await admin.get<Job>(`/api/v1/evidence/exports/${id}`)).body;
  const hold = holdSweepAt(c, agents[2]!.id);
  try {
    const earlier = new Date(Date.now() - 1000).toISOString();
    const sweep = c.service.compliance.reevaluateAll('policy_changed');
    await hold.atAgent;
    const current = await admin.call<Job>('POST', '/api/v1/evidence/exports', { level: 1 });
    expect(current.status, JSON.stringify(current.body)).toBe(202);
    expect(current.body.progress).toEqual({ phase: 'waiting', done: 2, total: 4 });
    const past = await admin.call<Job>('POST', '/api/v1/evidence/exports', { level: 1, asOf: earlier });
    expect(past.status, JSON.stringify(past.body)).toBe(202);
    expect(past.body.progress.phase).not.toBe('waiting');
    await expect.poll(async () => (await job(past.body.id)).status, { timeout: 60_000 }).toBe('done');
    // Still waiting, however long the other took.
    expect(await job(current.body.id)).toMatchObject({ status: 'running', progress: { phase: 'waiting', done: 2, total: 4 } });
    const releasedAt = Date.now();
    hold.release();
    expect(await sweep).toBe(4);
    await expect.poll(async () => (await job(current.body.id)).status, { timeout: 60_000 }).toBe('done');
    const done = await job(current.body.id);
    // Its instant moved to when the wait ended: every machine's findings it reads were evaluated by then.
    expect(Date.parse(done.scope.to)).toBeGreaterThanOrEqual(releasedAt);
    expect(done.scope.asOf).toBe(done.scope.to);
    expect(Date.parse(current.body.scope.to)).toBeLessThan(releasedAt);
  } finally {
    hold.restore();
  }
});

it('fails an export still waiting when the collector stops, and says why', async () => {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'soclite-sweep-stop-')), 'data');
  const other = await startCollector(loadConfig({ dataDir, port: 0 }, { SOCLITE_POLICY_REEVALUATEEVERYSEC: '1000000000' }), createLogger('silent'));
  const a = enrollDirect(other, 's0');
  const fixture = JSON.parse(readFileSync(join(REPO_ROOT, 'tests/fixtures/postures/linux-server-compliant.json'), 'utf8')) as Posture;
  fixture.agent = { ...fixture.agent, id: a.id, seq: 1, collectedAt: new Date().toISOString() };
  expect((await postSigned(other.url, a.id, a.privateKey, 1, JSON.stringify({ kind: 'posture', seq: 1, postureHash: postureHash(fixture), posture: fixture }))).status).toBe(200);
  const hold = holdSweepAt(other, a.id);
  const otherAdmin = await new User(other.url).login('admin', other.adminPassword!);
  void other.service.compliance.reevaluateAll('policy_changed');
  await hold.atAgent;
  const res = await otherAdmin.call<{ id: string; progress: { phase: string } }>('POST', '/api/v1/evidence/exports', { level: 1 });
  expect(res.body.progress.phase).toBe('waiting');
  // close() stops the pass before its first await; the read it waits on then ends, and the pass with it.
  const closing = other.close();
  hold.release();
  await closing;
  const record = JSON.parse(readFileSync(join(dataDir, 'exports', `${res.body.id}.json`), 'utf8')) as { status: string; error: string };
  expect(record).toMatchObject({ status: 'failed' });
  expect(record.error).toMatch(/stopped while the export waited/);
});

it('says an attestation caused the sweep when one did', async () => {
  const warmer = c.service.pageWarmer!;
  const realWarm = warmer.warm.bind(warmer);
  const reasons: (string | undefined)[] = [];
  warmer.warm = async (id: string) => {
    reasons.push(c.service.compliance.reevaluationProgress?.reason);
    return realWarm(id);
  };
  try {
    const res = await admin.call('POST', '/api/v1/attestations', {
      kind: ATTESTATION_KINDS[0],
      title: 'Quy chế an toàn thông tin / Information security regulation',
      documentSha256: 'a'.repeat(64),
      validFrom: '2026-01-01T00:00:00Z',
      validUntil: '2027-12-31T00:00:00Z',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  } finally {
    warmer.warm = realWarm;
  }
  expect(reasons).toEqual(['attestations_changed', 'attestations_changed', 'attestations_changed', 'attestations_changed']);
  expect(await reevaluation(admin)).toBeNull();
});
