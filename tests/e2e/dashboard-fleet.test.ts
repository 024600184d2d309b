// The dashboard against a fleet larger than one page, in a real Chromium and a real collector process: the agents
// table filtered by failing control and by AV status shows exactly the API's rows, pages beyond the first 100,
// exports a filtered set across several pages as CSV; the compliance trend chart draws the trend API's points;
// Settings shows a configured forwarder destination with its health; a second tab with the session cookie is
// logged in (and can act); the audit page shows the chain verdict. Screenshots of every page at 1366x768.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { BrowserContext, Page } from 'playwright-core';
import { postureHash, type Posture } from '../../protocol/index.js';
import { enroll } from '../../agent/transport/client.js';
import { newKeyPair } from '../../agent/transport/identity.js';
import { ApiClient } from '../helpers/api.js';
import { REPO_ROOT, freePort, runCli, spawnCli, type CliProcess } from '../helpers/cli.js';
import { postSigned } from '../helpers/signed-requests.js';
import { buildDashboard } from '../dashboard/build.js';
import { launchChromium } from '../dashboard/browser.js';
import { parseCsv } from '../dashboard/csv-parse.js';

const SHOTS = join(REPO_ROOT, 'test-results', 'screenshots');
// More than one page of the table (100 rows), few enough to enroll in seconds.
const FLEET = 130;
const AV_CYCLE = ['protected', 'protected', 'unprotected', 'degraded'] as const;

let dataDir: string;
let url: string;
let collector: CliProcess;
let api: ApiClient;
let password: string;
let ctx: BrowserContext;
let page: Page;

interface AgentList {
  total: number;
  items: { id: string; hostname: string; avStatus: string; level: number; activeAlerts: number }[];
}

function posture(id: string, i: number): Posture {
  const av = AV_CYCLE[i % AV_CYCLE.length]!;
  const hostname = `ws-${String(i).padStart(3, '0')}`;
  return {
    agent: { id, version: 'test', seq: 1, collectedAt: new Date().toISOString(), scanMs: 5, rssBytes: 1, cpuPercent: 0, probeErrors: [] },
    host: { hostname, os: { platform: i % 5 === 0 ? 'windows' : 'linux', family: 'debian', name: 'Debian GNU/Linux', version: '12', build: '', kernel: '6.1' }, hardwareId: 'hw-' + hostname, ips: ['192.0.2.10'], macs: [] },
    av: {
      status: av,
      reasons: [],
      products: av === 'unprotected' ? [] : [{ name: 'ClamAV', vendor: 'Cisco', kind: 'av', running: true, realtime: av === 'protected', upToDate: true, source: 'clamd' }],
    },
    patches: { pendingTotal: i % 3, pendingSecurity: i % 3, rebootRequired: false, source: 'apt' },
    network: {
      listening: [{ proto: 'tcp', address: i % 7 === 0 ? '0.0.0.0' : '127.0.0.1', port: 445, process: 'smbd', pid: 42, exposed: i % 7 === 0 }],
      firewall: { enabled: i % 2 === 0, defaultInbound: i % 2 === 0 ? 'deny' : 'allow', profiles: [] },
      interfaces: [],
      defaultGateways: [],
    },
  } as Posture;
}

async function enrollFleet(token: string): Promise<void> {
  const one = async (i: number) => {
    const keys = newKeyPair();
    const hostname = `ws-${String(i).padStart(3, '0')}`;
    const res = await enroll({ serverUrl: url }, { token, publicKey: keys.publicKeyB64, agentVersion: 'test', hostname, hardwareId: 'hw-' + hostname, platform: i % 5 === 0 ? 'windows' : 'linux' }, keys.privateKey);
    const p = posture(res.agentId, i);
    const r = await postSigned(url, res.agentId, keys.privateKey, 1, JSON.stringify({ kind: 'posture', seq: 1, postureHash: postureHash(p), posture: p }));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  };
  for (let i = 0; i < FLEET; i += 10) await Promise.all(Array.from({ length: Math.min(10, FLEET - i) }, (_, k) => one(i + k)));
}

/** The agent ids the table shows, in order. */
async function tableIds(p: Page): Promise<string[]> {
  await p.waitForSelector('[data-testid=agents-table]');
  return p.$$eval('[data-testid=agents-table] tbody tr', (rows) => rows.map((r) => r.getAttribute('data-agent') ?? ''));
}

async function waitForTotal(p: Page, total: number) {
  await p.waitForSelector(`[data-testid=agents-table][data-total="${total}"]`);
}

beforeAll(async () => {
  const dist = await buildDashboard();
  const root = mkdtempSync(join(tmpdir(), 'soclite-dash-fleet-'));
  dataDir = join(root, 'data');
  const config = join(root, 'soclite.yaml');
  writeFileSync(config, `forward:\n  destinations:\n    - { name: local-file, type: file, path: ${JSON.stringify(join(root, 'alerts.jsonl'))}, format: json }\n`);
  const port = await freePort();
  collector = spawnCli(['collector', '--config', config, '--data-dir', dataDir, '--port', String(port)], {
    SOCLITE_DASHBOARD_DIST: dist,
    // today's trend point follows the findings within a second instead of an hour
    SOCLITE_POLICY_TRENDSNAPSHOTSEC: '1',
  });
  url = (await collector.waitForLine(/^URL: (\S+)$/m))[1]!;
  password = (await collector.waitForLine(/^admin password: (\S+)$/m))[1]!;
  api = new ApiClient(url);
  await api.login('admin', password);
  const t = await runCli(['token', 'create', '--unit', 'default', '--max-uses', String(FLEET), '--data-dir', dataDir]);
  expect(t.code, t.stderr).toBe(0);
  await enrollFleet(t.stdout.trim().split('\n').pop()!);
  mkdirSync(SHOTS, { recursive: true });

  ctx = await launchChromium();
  page = ctx.pages()[0] ?? (await ctx.newPage());
  await page.goto(url + '/');
  await page.fill('input[name=username]', 'admin');
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-testid=live-status][data-status=live]');
}, 180_000);

afterAll(async () => {
  await ctx?.close().catch(() => undefined);
  await collector?.kill('SIGTERM');
});

describe('dashboard with a fleet of more than one page', () => {
  it('filters the agents table by failing control: exactly the API’s rows', async () => {
    const co = (await api.get<{ controls: { controlId: string; fail: number }[] }>('/api/v1/compliance')).body;
    // A control that some, but not all, machines fail: the filter must really choose.
    const control = co.controls.filter((c) => c.fail > 0 && c.fail < FLEET).sort((a, b) => b.fail - a.fail)[0];
    expect(control, 'a control failed by part of the fleet').toBeDefined();
    const want = (await api.get<AgentList>(`/api/v1/agents?failingControl=${encodeURIComponent(control!.controlId)}&limit=1000`)).body;
    expect(want.total).toBe(control!.fail);

    await page.goto(url + '/agents');
    await waitForTotal(page, FLEET);
    await page.selectOption('[data-testid=filter-failing-control]', control!.controlId);
    await waitForTotal(page, want.total);
    expect(page.url()).toContain(`failingControl=${encodeURIComponent(control!.controlId)}`);
    const shown = await tableIds(page);
    expect(shown).toEqual(want.items.slice(0, 100).map((a) => a.id));
    await page.screenshot({ path: join(SHOTS, 'agents-failing-control.png') });
  });

  it('filters by AV status: exactly the API’s rows, each with that status', async () => {
    await page.goto(url + '/agents');
    await waitForTotal(page, FLEET);
    await page.selectOption('[data-testid=filter-av]', 'unprotected');
    const want = (await api.get<AgentList>('/api/v1/agents?av=unprotected&limit=1000')).body;
    expect(want.total).toBe(Math.ceil((FLEET - 2) / 4));
    expect(want.items.every((a) => a.avStatus === 'unprotected')).toBe(true);
    await waitForTotal(page, want.total);
    expect(await tableIds(page)).toEqual(want.items.map((a) => a.id));
    const badges = await page.$$eval('[data-testid=agents-table] tbody .badge.av-unprotected', (b) => b.length);
    expect(badges).toBe(want.total);
  });

  it('pages to page 2 and shows the API’s second page', async () => {
    await page.goto(url + '/agents');
    await waitForTotal(page, FLEET);
    expect((await tableIds(page)).length).toBe(100);
    await page.click('[data-testid=page-next]');
    await page.waitForSelector('[data-testid=agents-table][data-offset="100"]');
    const want = (await api.get<AgentList>('/api/v1/agents?limit=100&offset=100')).body;
    expect(want.items.length).toBe(FLEET - 100);
    expect(await tableIds(page)).toEqual(want.items.map((a) => a.id));
    expect(await page.textContent('[data-testid=page-number]')).toMatch(/2\s*\/\s*2|2 of 2/);
    // Sorting by a column is done by the server too: the first row of descending hostnames is the API's.
    await page.click('[data-testid=sort-hostname]'); // sorted ascending by default: one click turns it
    await page.waitForSelector('[data-testid=agents-table][data-offset="0"]');
    await expect.poll(() => page.url()).toContain('order=desc');
    const desc = (await api.get<AgentList>('/api/v1/agents?sort=hostname&order=desc&limit=100')).body;
    await expect.poll(() => tableIds(page)).toEqual(desc.items.map((a) => a.id));
    await page.screenshot({ path: join(SHOTS, 'agents-page-2.png') });
  });

  it('exports a filtered set across several pages as CSV, with progress', async () => {
    // 50 rows per page: the protected machines span two pages, and the export must fetch both.
    await page.goto(url + '/agents?av=protected&limit=50');
    const want = (await api.get<AgentList>('/api/v1/agents?av=protected&limit=1000')).body;
    expect(want.total).toBeGreaterThan(50);
    await waitForTotal(page, want.total);
    const requests: string[] = [];
    const onRequest = (r: { url(): string }) => r.url().includes('/api/v1/agents?') && requests.push(r.url());
    page.on('request', onRequest);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-csv]')]);
    page.off('request', onRequest);
    const file = join(mkdtempSync(join(tmpdir(), 'soclite-csv-')), 'agents.csv');
    await download.saveAs(file);
    const rows = parseCsv(readFileSync(file, 'utf8').slice(1));
    expect(rows.length).toBe(want.total + 1);
    expect(new Set(rows.slice(1).map((r) => r[1]))).toEqual(new Set(want.items.map((a) => a.id)));
    const avColumn = rows[0]!.indexOf('AV/EDR');
    expect(rows.slice(1).every((r) => r[avColumn] === 'protected')).toBe(true);
    // Each machine's unresolved alerts, as the API counts them.
    const alertsColumn = rows[0]!.findIndex((h) => h === 'Open alerts' || h === 'Cảnh báo chưa xử lý');
    expect(alertsColumn).toBeGreaterThan(0);
    const alertsOf = new Map(want.items.map((a) => [a.id, String(a.activeAlerts)]));
    expect(rows.slice(1).every((r) => r[alertsColumn] === alertsOf.get(r[1]!))).toBe(true);
    // page by page: offsets 0 and 50 (and nothing unfiltered)
    expect(requests.filter((u) => u.includes('av=protected')).length).toBeGreaterThanOrEqual(2);
    expect(requests.every((u) => u.includes('av=protected'))).toBe(true);
  });

  it('charts the compliance trend API’s points with uPlot, per level and per control', async () => {
    const levels = (await api.get<{ levels: { level: number; agents: number }[] }>('/api/v1/compliance')).body.levels;
    const level = levels.find((l) => l.agents > 0)!.level;
    // Earlier days' snapshots, as a collector running on those days would have written them; today's point is
    // the collector's own (taken every second here).
    const db = new Database(join(dataDir, 'soclite.db'));
    const day = (back: number) => new Date(Date.now() - back * 86400_000).toISOString().slice(0, 10);
    const ins = db.prepare('INSERT OR REPLACE INTO compliance_daily_agents (day, unit_id, level, compliant, non_compliant, unknown) VALUES (?, ?, ?, ?, ?, ?)');
    for (const [back, c, n, u] of [[3, 5, 100, 25], [2, 9, 101, 20], [1, 12, 110, 8]] as const) ins.run(day(back), 'default', level, c, n, u);
    db.close();
    let points: { day: string; level: number; compliant: number; nonCompliant: number; unknown: number }[] = [];
    await expect
      .poll(async () => {
        points = (await api.get<{ points: typeof points }>(`/api/v1/compliance/trend?level=${level}&days=30`)).body.points;
        return points.length === 4 && points[3]!.compliant + points[3]!.nonCompliant + points[3]!.unknown === FLEET;
      })
      .toBe(true);

    await page.goto(url + `/compliance?level=${level}&days=30`);
    const chart = page.locator(`[data-testid=trend-level-${level}]`);
    await chart.locator('canvas').waitFor();
    expect(await chart.locator('.chart-wrap').getAttribute('data-points')).toBe('4');
    const drawn = await chart.locator('table.chart-data tbody tr').evaluateAll((rows) =>
      rows.map((r) => [r.getAttribute('data-x'), ...[...r.querySelectorAll('td')].map((td) => Number(td.textContent))]),
    );
    expect(drawn).toEqual(points.map((p) => [p.day, p.compliant, p.nonCompliant, p.unknown]));
    const box = await chart.locator('canvas').first().boundingBox();
    expect(box!.width).toBeGreaterThan(300);
    await page.screenshot({ path: join(SHOTS, 'compliance.png') });

    // The control page: its own daily trend (pass/fail/unknown/n.a.) and the machines per status.
    const co = (await api.get<{ controls: { controlId: string; fail: number; pass: number }[] }>(`/api/v1/compliance?level=${level}`)).body;
    const control = co.controls.find((c) => c.fail > 0 && c.pass > 0) ?? co.controls.find((c) => c.fail > 0)!;
    const ct = (await api.get<{ points: { day: string; pass: number; fail: number; unknown: number; notApplicable: number }[] }>(`/api/v1/compliance/trend?control=${encodeURIComponent(control.controlId)}&level=${level}&days=30`)).body.points;
    await page.goto(url + `/compliance?level=${level}&days=30&control=${encodeURIComponent(control.controlId)}`);
    await page.locator('[data-testid=trend-control] canvas').waitFor();
    const cdrawn = await page.locator('[data-testid=trend-control] table.chart-data tbody tr').evaluateAll((rows) =>
      rows.map((r) => [r.getAttribute('data-x'), ...[...r.querySelectorAll('td')].map((td) => Number(td.textContent))]),
    );
    expect(cdrawn).toEqual(ct.map((p) => [p.day, p.pass, p.fail, p.unknown, p.notApplicable]));
    const failing = (await api.get<{ agents: { agentId: string }[] }>(`/api/v1/compliance/controls/${encodeURIComponent(control.controlId)}?status=fail`)).body.agents;
    await page.waitForSelector('[data-testid=control-machines][data-status=fail]');
    expect(await page.$$eval('[data-testid=control-machines] tbody tr', (r) => r.map((x) => x.getAttribute('data-agent')))).toEqual(failing.map((a) => a.agentId));
    await page.screenshot({ path: join(SHOTS, 'compliance-control.png') });
    if (control.pass > 0) {
      const passing = (await api.get<{ agents: { agentId: string }[] }>(`/api/v1/compliance/controls/${encodeURIComponent(control.controlId)}?status=pass`)).body.agents;
      await page.click('[data-testid=status-tabs] [data-status=pass]');
      await page.waitForSelector('[data-testid=control-machines][data-status=pass]');
      expect(await page.$$eval('[data-testid=control-machines] tbody tr', (r) => r.map((x) => x.getAttribute('data-agent')))).toEqual(passing.map((a) => a.agentId));
    }
  });

  it('Settings shows the configured forwarder destination with its health', async () => {
    const health = (await api.get<{ name: string; queueDepth: number }[]>('/api/v1/forward/destinations')).body;
    expect(health.map((h) => h.name)).toEqual(['local-file']);
    await page.goto(url + '/settings');
    const row = page.locator('[data-testid=forwarders-table] tr[data-destination=local-file]');
    await row.waitFor();
    expect(await row.locator('td').first().textContent()).toContain('file · json');
    expect(['ok', 'pending', 'failing']).toContain(await row.getAttribute('data-health'));
    await page.waitForLoadState('networkidle');
    expect(await page.locator('.error[role=alert]').count()).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'settings.png'), fullPage: true });
  });

  it('a second tab with the session cookie is logged in and can act (CSRF token from GET /session)', async () => {
    const second = await ctx.newPage();
    await second.goto(url + '/settings');
    await second.waitForSelector('[data-testid=live-status][data-status=live]');
    expect(await second.locator('input[name=password]').count()).toBe(0);
    expect(await second.textContent('header .who')).toContain('admin');
    // a state-changing request from this tab carries the CSRF token it learnt from GET /session
    await second.click('[data-testid=tokens] button[type=submit]');
    await second.waitForSelector('[data-testid=new-token]');
    expect((await second.textContent('[data-testid=new-token]'))!.length).toBeGreaterThan(20);
    await second.close();
  });

  it('the audit page lists records and shows the chain verdict of GET /api/v1/audit/verify', async () => {
    const verdict = (await api.get<{ ok: boolean; records: number }>('/api/v1/audit/verify')).body;
    expect(verdict.ok).toBe(true);
    await page.goto(url + '/audit');
    await page.waitForSelector('[data-testid=audit-chain][data-ok=true]');
    await page.waitForSelector('[data-testid=audit-table] tr[data-action="session.login"]');
    await page.selectOption('[data-testid=filter-action]', 'enrollment_token.create');
    await page.waitForSelector('[data-testid=audit-table] tr[data-action="enrollment_token.create"]');
    const actions = await page.$$eval('[data-testid=audit-table] tbody tr', (r) => r.map((x) => x.getAttribute('data-action')));
    expect(new Set(actions)).toEqual(new Set(['enrollment_token.create']));
    await page.screenshot({ path: join(SHOTS, 'audit.png') });
  });

  it('the overview names the newest machines, as GET /api/v1/agents sorted by enrollment does', async () => {
    const newest = (await api.get<AgentList>('/api/v1/agents?sort=enrolledAt&order=desc&limit=5')).body.items;
    await page.goto(url + '/');
    await page.waitForSelector('[data-testid=card-newest] tr[data-agent]');
    expect(await page.$$eval('[data-testid=card-newest] tr[data-agent]', (r) => r.map((x) => x.getAttribute('data-agent')))).toEqual(newest.map((a) => a.id));
  });

  it('screenshots the remaining pages without errors', async () => {
    const anAgent = (await api.get<AgentList>('/api/v1/agents?av=unprotected&limit=1')).body.items[0]!.id;
    for (const [path, name] of [
      ['/', 'overview'],
      ['/agents', 'agents'],
      [`/agents/${anAgent}`, 'agent-detail'],
      ['/alerts', 'alerts'],
      ['/evidence', 'evidence'],
    ] as const) {
      await page.goto(url + path);
      await page.waitForSelector('main .card');
      await page.waitForLoadState('networkidle');
      await page.screenshot({ path: join(SHOTS, `${name}.png`) });
      expect(await page.locator('.error[role=alert]').count(), `${name} shows an error`).toBe(0);
    }
  });
});
