// The dashboard in a real Chromium against a real collector process: login, overview numbers equal to the API,
// hostile endpoint strings rendered inert, live updates without reload (state change, malware alert, an
// acknowledgement made on another page), CSV export, and a screenshot of every page at 1366x768.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

const HOSTILE_HOST = '<img src=x onerror="window.__pwned=1">host-xss';
const HOSTILE_PROCESS = '<script>window.__pwned=2</script>evil-proc';
const FORMULA_HOST = '=HYPERLINK("http://evil.example/","click")';
const SHOTS = join(REPO_ROOT, 'test-results', 'screenshots');
// The requirement: a live change appears on an open page within 2 s, without reload.
const LIVE_MS = 2000;

let dataDir: string;
let url: string;
let collector: CliProcess;
let api: ApiClient;
let password: string;
const contexts: BrowserContext[] = [];

interface TestAgent {
  id: string;
  key: ReturnType<typeof newKeyPair>['privateKey'];
  seq: number;
}

async function newToken(): Promise<string> {
  const r = await runCli(['token', 'create', '--unit', 'default', '--data-dir', dataDir]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim().split('\n').pop()!;
}

function posture(id: string, hostname: string, seq: number, o: { av: 'protected' | 'unprotected'; pendingSecurity: number; smbExposed: boolean }): Posture {
  return {
    agent: { id, version: 'test', seq, collectedAt: new Date().toISOString(), scanMs: 5, rssBytes: 1, cpuPercent: 0, probeErrors: [] },
    host: { hostname, os: { platform: 'linux', family: 'debian', name: 'Debian GNU/Linux', version: '12', build: '', kernel: '6.1' }, hardwareId: 'hw-' + hostname.length + seq, ips: ['192.0.2.10'], macs: [] },
    av: { status: o.av, reasons: [], products: o.av === 'protected' ? [{ name: 'ClamAV', vendor: 'Cisco', kind: 'av', running: true, realtime: true, upToDate: true, source: 'clamd' }] : [] },
    patches: { pendingTotal: o.pendingSecurity, pendingSecurity: o.pendingSecurity, rebootRequired: false, source: 'apt' },
    network: {
      listening: [
        { proto: 'tcp', address: '0.0.0.0', port: 445, process: HOSTILE_PROCESS, pid: 42, exposed: o.smbExposed },
        { proto: 'tcp', address: '127.0.0.1', port: 5432, process: 'postgres', pid: 43, exposed: false },
      ],
      interfaces: [],
      defaultGateways: [],
    },
  };
}

async function enrollTestAgent(hostname: string): Promise<TestAgent> {
  const keys = newKeyPair();
  const res = await enroll({ serverUrl: url }, { token: await newToken(), publicKey: keys.publicKeyB64, agentVersion: 'test', hostname, hardwareId: 'hw-' + hostname, platform: 'linux' }, keys.privateKey);
  return { id: res.agentId, key: keys.privateKey, seq: 0 };
}

async function send(a: TestAgent, body: Record<string, unknown>) {
  a.seq++;
  const r = await postSigned(url, a.id, a.key, a.seq, JSON.stringify({ ...body, seq: a.seq }));
  expect(r.status, JSON.stringify(r.body)).toBe(200);
}

async function sendPosture(a: TestAgent, hostname: string, o: Parameters<typeof posture>[3]) {
  const p = posture(a.id, hostname, a.seq + 1, o);
  await send(a, { kind: 'posture', postureHash: postureHash(p), posture: p });
}

async function openLoggedIn(path = '/'): Promise<Page> {
  const ctx = await launchChromium();
  contexts.push(ctx);
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  await page.goto(url + path);
  await page.fill('input[name=username]', 'admin');
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-testid=live-status][data-status=live]');
  return page;
}

let xss: TestAgent;
let formula: TestAgent;
let plain: TestAgent;

beforeAll(async () => {
  const dist = await buildDashboard();
  const root = mkdtempSync(join(tmpdir(), 'soclite-dash-e2e-'));
  dataDir = join(root, 'data');
  const port = await freePort();
  collector = spawnCli(['collector', '--data-dir', dataDir, '--port', String(port)], { SOCLITE_DASHBOARD_DIST: dist, SOCLITE_AGENTS_LIVENESSCHECKSEC: '0.5' });
  url = (await collector.waitForLine(/^URL: (\S+)$/m))[1]!;
  password = (await collector.waitForLine(/^admin password: (\S+)$/m))[1]!;
  api = new ApiClient(url);
  await api.login('admin', password);

  xss = await enrollTestAgent(HOSTILE_HOST);
  await sendPosture(xss, HOSTILE_HOST, { av: 'unprotected', pendingSecurity: 3, smbExposed: true });
  formula = await enrollTestAgent(FORMULA_HOST);
  await sendPosture(formula, FORMULA_HOST, { av: 'protected', pendingSecurity: 0, smbExposed: false });
  plain = await enrollTestAgent('ws-ke-toan-01');
  await sendPosture(plain, 'ws-ke-toan-01', { av: 'protected', pendingSecurity: 0, smbExposed: false });
  mkdirSync(SHOTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await collector?.kill('SIGTERM');
});

describe('dashboard in Chromium', () => {
  it('serves the SPA for deep links and the API answers JSON 404 for unknown routes', async () => {
    const deep = await fetch(url + '/agents/agt_whatever', { headers: { accept: 'text/html' } });
    expect(deep.status).toBe(200);
    expect(await deep.text()).toContain('<div id="app">');
    const missing = await fetch(url + '/api/v1/no-such-route');
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { code: string }).code).toBe('not_found');
  });

  it('logs in and shows overview numbers equal to GET /api/v1/overview', async () => {
    const page = await openLoggedIn('/');
    const ov = (await api.get<{ byState: Record<string, number>; av: { coverageRatio: number }; patches: { complianceRatio: number }; exposure: { machinesWithRiskyServices: number } }>('/api/v1/overview')).body;
    expect(ov.exposure.machinesWithRiskyServices).toBe(1);
    for (const s of ['online', 'late', 'offline', 'missing', 'stopped']) {
      await expect.poll(() => page.textContent(`[data-testid=state-${s}]`)).toBe(String(ov.byState[s] ?? 0));
    }
    const pct = (r: number) => new Intl.NumberFormat('vi-VN', { style: 'percent', maximumFractionDigits: 1 }).format(r);
    expect(await page.textContent('[data-testid=av-coverage]')).toBe(pct(ov.av.coverageRatio));
    expect(await page.textContent('[data-testid=patch-compliance]')).toBe(pct(ov.patches.complianceRatio));
    expect(await page.textContent('[data-testid=exposed-machines]')).toBe(String(ov.exposure.machinesWithRiskyServices));
    await page.screenshot({ path: join(SHOTS, 'overview.png') });
    // Switching language changes every label, not the numbers.
    await page.click('[data-testid=lang-switch]');
    await expect.poll(() => page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.textContent('[data-testid=card-agents] h2')).toBe('Agents by state');
    await page.screenshot({ path: join(SHOTS, 'overview-en.png') });
    await page.click('[data-testid=lang-switch]');
  });

  it('renders hostile hostnames and process names as inert text', async () => {
    const page = await openLoggedIn('/agents');
    await page.waitForSelector('[data-testid=agents-table]');
    const row = page.locator(`tr[data-agent="${xss.id}"] a.host`);
    expect(await row.textContent()).toBe(HOSTILE_HOST);
    await page.screenshot({ path: join(SHOTS, 'agents.png') });
    await row.click();
    await page.waitForSelector('[data-testid=posture-network]');
    expect(await page.locator('[data-testid=posture-network] td.process').first().textContent()).toBe(HOSTILE_PROCESS);
    expect(await page.locator('[data-testid=agent-title]').textContent()).toContain(HOSTILE_HOST);
    // Nothing from the payloads became markup or ran.
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('img[src=x]').count()).toBe(0);
    expect(await page.locator('main script').count()).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'agent-detail.png'), fullPage: false });
  });

  it('exports the agents table as RFC 4180 CSV with formula injection neutralised', async () => {
    const page = await openLoggedIn('/agents');
    await page.waitForSelector('[data-testid=agents-table]');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=export-csv]')]);
    const file = join(mkdtempSync(join(tmpdir(), 'soclite-csv-')), 'agents.csv');
    await download.saveAs(file);
    const text = readFileSync(file, 'utf8');
    expect(text.startsWith('\ufeff')).toBe(true);
    expect(text.endsWith('\r\n')).toBe(true);
    const rows = parseCsv(text.slice(1));
    const total = (await api.get<{ total: number }>('/api/v1/agents')).body.total;
    expect(rows.length).toBe(total + 1);
    const byId = new Map(rows.slice(1).map((r) => [r[1], r]));
    expect(byId.get(xss.id)![0]).toBe(HOSTILE_HOST);
    // A cell that a spreadsheet would evaluate starts with an apostrophe instead.
    expect(byId.get(formula.id)![0]).toBe("'" + FORMULA_HOST);
    for (const r of rows) for (const cell of r) expect(cell).not.toMatch(/^[=+\-@]/);
  });

  it('shows an agent state change on an open page within 2 s, without reload', async () => {
    const page = await openLoggedIn('/agents');
    await page.waitForSelector(`tr[data-agent="${plain.id}"]`);
    await page.evaluate(() => ((window as unknown as { __marker: number }).__marker = 1));
    await send(plain, { kind: 'goodbye', reason: 'shutdown' });
    await page.waitForSelector(`tr[data-agent="${plain.id}"] .badge.state-stopped`, { timeout: LIVE_MS });
    expect(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(1); // same document: no reload
  });

  it('a malware detection appears as an alert within 2 s, and acknowledging it on one page updates another', async () => {
    const a = await openLoggedIn('/alerts');
    const b = await openLoggedIn('/alerts');
    await a.evaluate(() => ((window as unknown as { __marker: number }).__marker = 1));
    await send(xss, {
      kind: 'events',
      events: [{ id: 'evt_malware_0001', type: 'malware_detected', at: new Date().toISOString(), data: { path: '/home/u/eicar.com', signature: 'Eicar-Test-Signature', product: 'ClamAV' } }],
    });
    await a.waitForSelector('[data-testid=alerts-table] tr[data-status=open]', { timeout: LIVE_MS });
    await b.waitForSelector('[data-testid=alerts-table] tr[data-status=open]', { timeout: LIVE_MS });
    await a.screenshot({ path: join(SHOTS, 'alerts.png') });
    const id = await a.getAttribute('[data-testid=alerts-table] tr[data-status=open]', 'data-alert');
    await a.click(`tr[data-alert="${id}"] [data-testid=alert-ack]`);
    await b.waitForSelector(`tr[data-alert="${id}"][data-status=acknowledged]`, { timeout: LIVE_MS });
    expect(await a.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(1);
  });

  it('screenshots the compliance, evidence and settings pages', async () => {
    const page = await openLoggedIn('/compliance');
    for (const [path, name] of [
      ['/compliance', 'compliance'],
      ['/evidence', 'evidence'],
      ['/settings', 'settings'],
    ] as const) {
      await page.goto(url + path);
      await page.waitForSelector('main .card');
      await page.waitForLoadState('networkidle');
      await page.screenshot({ path: join(SHOTS, `${name}.png`) });
      expect(await page.locator('.error[role=alert]').count(), `${name} shows an error`).toBe(0);
    }
    writeFileSync(join(SHOTS, 'README.txt'), 'Screenshots of each dashboard page at 1366x768, written by tests/e2e/dashboard.test.ts\n');
  });
});
