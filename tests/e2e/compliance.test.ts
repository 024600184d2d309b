// The collector evaluates each posture against the agent's effective level exactly as `soclite policy test`
// does, keeps a ledger of transitions, follows level changes, and refuses a broken policy edit while keeping
// the last good set.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { postureHash, type Posture } from '../../protocol/index.js';
import { enroll } from '../../agent/transport/client.js';
import { newKeyPair } from '../../agent/transport/identity.js';
import { ApiClient } from '../helpers/api.js';
import { REPO_ROOT, freePort, runCli, spawnCli, waitFor, type CliProcess } from '../helpers/cli.js';
import { postSigned } from '../helpers/signed-requests.js';

let root: string;
let dataDir: string;
let policyDir: string;
let url: string;
let collector: CliProcess;
let api: ApiClient;

type ApiFinding = { controlId: string; status: string; reason?: string | null; observed: unknown; expected: string; since: string; evaluatedAt: string; level: number };

const fixture = (name: string) => JSON.parse(readFileSync(join(REPO_ROOT, 'tests/fixtures/postures', name), 'utf8')) as Posture;

async function protocolAgent(): Promise<{ id: string; send: (p: Posture) => Promise<void> }> {
  const r = await runCli(['token', 'create', '--unit', 'default', '--data-dir', dataDir]);
  const token = r.stdout.trim().split('\n').pop()!;
  const keys = newKeyPair();
  const res = await enroll(
    { serverUrl: url },
    { token, publicKey: keys.publicKeyB64, agentVersion: 'test', hostname: 'fixture-host', hardwareId: 'hw-fixture', platform: 'windows' },
    keys.privateKey,
  );
  let seq = 0;
  return {
    id: res.agentId,
    async send(p: Posture) {
      seq++;
      const posture = { ...p, agent: { ...p.agent, id: res.agentId, seq } };
      const out = await postSigned(url, res.agentId, keys.privateKey, seq, JSON.stringify({ kind: 'posture', seq, postureHash: postureHash(posture), posture }));
      expect(out.status, JSON.stringify(out.body)).toBe(200);
    },
  };
}

const findingsOf = async (id: string) => (await api.get<{ level: number; findings: ApiFinding[] }>(`/api/v1/agents/${id}/findings`)).body;

async function cliFindings(posture: Posture, level: number, now: string) {
  const file = join(root, `posture-${level}-${Date.now()}.json`);
  writeFileSync(file, JSON.stringify(posture));
  const r = await runCli(['policy', 'test', file, '--level', String(level), '--json', '--now', now, '--policies', policyDir]);
  expect([0, 3], r.stderr).toContain(r.code);
  return (JSON.parse(r.stdout) as { findings: { controlId: string; status: string; reason?: string; observed: unknown; expected: string }[] }).findings;
}

function expectSameResults(api: ApiFinding[], cli: Awaited<ReturnType<typeof cliFindings>>) {
  const norm = (f: { controlId: string; status: string; reason?: string | null; observed: unknown; expected: string }) => ({
    controlId: f.controlId,
    status: f.status,
    reason: f.reason ?? null,
    observed: f.observed,
    expected: f.expected,
  });
  expect(api.map(norm).sort((a, b) => a.controlId.localeCompare(b.controlId))).toEqual(cli.map(norm).sort((a, b) => a.controlId.localeCompare(b.controlId)));
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'soclite-compliance-'));
  dataDir = join(root, 'data');
  policyDir = join(root, 'policies');
  cpSync(join(REPO_ROOT, 'policies'), policyDir, { recursive: true });
  const port = await freePort();
  collector = spawnCli(['collector', '--data-dir', dataDir, '--port', String(port)], { SOCLITE_POLICY_DIR: policyDir, SOCLITE_POLICY_TRENDSNAPSHOTSEC: '0.5' });
  url = (await collector.waitForLine(/^URL: (\S+)$/m))[1]!;
  const password = (await collector.waitForLine(/^admin password: (\S+)$/m))[1]!;
  api = new ApiClient(url);
  await api.login('admin', password);
});

afterAll(async () => {
  await collector?.kill('SIGTERM');
});

describe('compliance evaluation in the collector', () => {
  it('gives the same findings as `soclite policy test` for the same posture and level', async () => {
    const agent = await protocolAgent();
    const posture = fixture('windows-workstation-partial.json');
    await agent.send(posture);
    const got = await findingsOf(agent.id);
    expect(got.level).toBe(1);
    expect(got.findings.length).toBeGreaterThan(20);
    const sent = { ...posture, agent: { ...posture.agent, id: agent.id, seq: 1 } };
    expectSameResults(got.findings, await cliFindings(sent, 1, got.findings[0]!.evaluatedAt));
    // Unknown is not pass: the fixture's failed AV probe must surface as unknown with the probe's error.
    const av = got.findings.find((f) => f.controlId === 'vn.malware.installed')!;
    expect(av.status).toBe('unknown');
    expect(av.reason).toMatch(/Access denied/);
  });

  it('follows the highest level of the machine’s information systems', async () => {
    const agent = await protocolAgent();
    const posture = fixture('windows-workstation-partial.json');
    await agent.send(posture);
    const sys = await fetch(new URL('/api/v1/systems', url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: (api as unknown as { cookie: string }).cookie, 'x-csrf-token': api.csrf },
      body: JSON.stringify({ id: 'egov-portal', unitId: 'default', name: 'Cổng dịch vụ công', level: 3, approvalRef: 'QĐ 123/QĐ-UBND', approvalDate: '2025-03-01' }),
    });
    expect(sys.status, await sys.clone().text()).toBe(201);
    const put = await fetch(new URL(`/api/v1/agents/${agent.id}/systems`, url), {
      method: 'PUT',
      headers: { 'content-type': 'application/json', cookie: (api as unknown as { cookie: string }).cookie, 'x-csrf-token': api.csrf },
      body: JSON.stringify({ systemIds: ['egov-portal'] }),
    });
    expect(await put.json()).toMatchObject({ level: 3, systems: ['egov-portal'] });
    const got = await findingsOf(agent.id);
    expect(got.level).toBe(3);
    const central = got.findings.find((f) => f.controlId === 'vn.malware.central')!;
    expect(central.status).not.toBe('not_applicable');
    const sent = { ...posture, agent: { ...posture.agent, id: agent.id, seq: 1 } };
    expectSameResults(got.findings, await cliFindings(sent, 3, got.findings[0]!.evaluatedAt));
  });

  it('records transitions in the ledger: "since" moves and the state as of an earlier time is kept', async () => {
    const agent = await protocolAgent();
    const good = fixture('linux-server-compliant.json');
    await agent.send(good);
    const before = (await findingsOf(agent.id)).findings.find((f) => f.controlId === 'vn.firewall.enabled')!;
    expect(before.status).toBe('pass');
    const between = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    await agent.send({ ...good, network: { ...good.network!, firewall: { ...good.network!.firewall!, enabled: false } } });
    const after = (await findingsOf(agent.id)).findings.find((f) => f.controlId === 'vn.firewall.enabled')!;
    expect(after.status).toBe('fail');
    expect(after.since > before.since).toBe(true);
    const db = new Database(join(dataDir, 'soclite.db'), { readonly: true });
    try {
      const rows = db
        .prepare("SELECT status, previous_status AS prev, at FROM findings_ledger WHERE agent_id = ? AND control_id = 'vn.firewall.enabled' ORDER BY id")
        .all(agent.id) as { status: string; prev: string | null; at: string }[];
      expect(rows.map((r) => [r.prev, r.status])).toEqual([
        [null, 'pass'],
        ['pass', 'fail'],
      ]);
      expect(rows[0]!.at <= between && rows[1]!.at > between).toBe(true);
    } finally {
      db.close();
    }
  });

  it('filters, sorts and pages the agents table on the server', async () => {
    type Page = { total: number; items: { id: string; hostname: string; level: number; avStatus: string; platform: string }[] };
    const get = async (q: string) => (await api.get<Page>(`/api/v1/agents?${q}`)).body;
    const all = await get('limit=1000');
    expect(all.total).toBeGreaterThanOrEqual(3);
    const failing = await get('failingControl=vn.firewall.enabled');
    expect(failing.items.length).toBeGreaterThan(0);
    for (const a of failing.items) {
      const f = (await findingsOf(a.id)).findings.find((x) => x.controlId === 'vn.firewall.enabled');
      expect(f?.status).toBe('fail');
    }
    const l3 = await get('level=3');
    expect(l3.items.map((a) => a.level)).toEqual(l3.items.map(() => 3));
    expect(l3.total).toBeGreaterThan(0);
    const unknownAv = await get('av=unknown');
    expect(unknownAv.items.every((a) => a.avStatus === 'unknown')).toBe(true);
    const asc = await get('sort=enrolledAt&order=asc&limit=1000');
    const desc = await get('sort=enrolledAt&order=desc&limit=1000');
    expect(desc.items.map((a) => a.id)).toEqual([...asc.items.map((a) => a.id)].reverse());
    const page2 = await get('sort=enrolledAt&order=asc&limit=1&offset=1');
    expect(page2.items.map((a) => a.id)).toEqual([asc.items[1]!.id]);
    expect((await api.get('/api/v1/agents?limit=abc')).status).toBe(400);
  });

  it('keeps a daily trend that agrees with the current compliance summary', async () => {
    type Summary = { levels: { level: number; compliant: number; nonCompliant: number; unknown: number }[]; controls: { controlId: string; pass: number; fail: number; unknown: number }[] };
    type Point = { day: string; level: number; compliant: number; nonCompliant: number; unknown: number; pass: number; fail: number };
    const today = new Date().toISOString().slice(0, 10);
    // Snapshots are taken every half second here: wait for one that agrees with the summary on both the
    // per-level machine counts and one control's counts.
    await waitFor(
      'today’s trend points to match the summary',
      async () => {
        const now = (await api.get<Summary>('/api/v1/compliance')).body;
        const trend = (await api.get<{ points: Point[] }>('/api/v1/compliance/trend?days=7')).body.points.filter((p) => p.day === today);
        const levelsAgree = now.levels.every((l) =>
          trend.some((p) => p.level === l.level && p.compliant === l.compliant && p.nonCompliant === l.nonCompliant && p.unknown === l.unknown),
        );
        const fwFail = now.controls.filter((c) => c.controlId === 'vn.firewall.enabled').reduce((n, c) => n + c.fail, 0);
        const fwTrend = (await api.get<{ points: Point[] }>('/api/v1/compliance/trend?control=vn.firewall.enabled')).body.points.find((p) => p.day === today);
        return levelsAgree && fwFail > 0 && fwTrend?.fail === fwFail;
      },
      15_000,
    );
    expect((await api.get('/api/v1/compliance/trend?days=0')).status).toBe(400);
  });

  it('re-evaluates every agent in the background after a valid policy edit, and records the change', async () => {
    type Page = { items: { id: string }[] };
    const ids = (await api.get<Page>('/api/v1/agents?limit=1000')).body.items.map((a) => a.id);
    const expectedOf = async (id: string) => (await findingsOf(id)).findings.find((f) => f.controlId === 'vn.patch.recent-install')?.expected ?? '';
    const withPatchFinding: string[] = [];
    for (const id of ids) if ((await expectedOf(id)).includes('35')) withPatchFinding.push(id);
    expect(withPatchFinding.length).toBeGreaterThan(0);
    const pack = join(policyDir, 'vn-nd85-tt12', 'pack.yaml');
    const text = readFileSync(pack, 'utf8');
    const edited = text.replace(/(maxDaysSinceLastPatchInstall:[\s\S]*?default: )35/, '$136');
    expect(edited).not.toBe(text);
    writeFileSync(pack, edited);
    try {
      await waitFor('every agent’s patch finding to carry the new limit', async () => {
        for (const id of withPatchFinding) if (!(await expectedOf(id)).includes('36')) return false;
        return true;
      }, 15_000);
      const audit = (await api.get<{ items: { action: string; outcome: string; details: { digest?: string } }[] }>('/api/v1/audit?action=policy.change')).body.items;
      expect(audit.some((e) => e.outcome === 'success' && typeof e.details.digest === 'string')).toBe(true);
    } finally {
      writeFileSync(pack, text);
    }
    await waitFor('the original limit back', async () => (await expectedOf(withPatchFinding[0]!)).includes('35'), 15_000);
  });

  it('refuses a broken policy edit and keeps the last good policy set', async () => {
    const digest = (await api.get<{ policyDigest: string }>('/api/v1/compliance')).body.policyDigest;
    appendFileSync(join(policyDir, 'vn-nd85-tt12', 'firewall.yaml'), '\n  - id: vn.firewall.enabled\n    broken: [\n');
    await waitFor('the refusal in the collector log', () => /policy change refused/.test(collector.stdout() + collector.stderr()), 15_000);
    expect((await api.get<{ policyDigest: string }>('/api/v1/compliance')).body.policyDigest).toBe(digest);
    expect(collector.child.exitCode).toBeNull();
  });

  it('records every compliance change in the audit log: systems, memberships, refused policy edits, CLI tokens', async () => {
    type Rec = { action: string; outcome: string; actor: { type: string } };
    const audit = (await api.get<{ items: Rec[] }>('/api/v1/audit?limit=500')).body.items;
    const has = (action: string, outcome = 'success') => audit.some((r) => r.action === action && r.outcome === outcome);
    expect(has('system.create')).toBe(true);
    expect(has('agent.systems_set')).toBe(true);
    expect(has('policy.change', 'failure')).toBe(true);
    expect(audit.some((r) => r.action === 'enrollment_token.create' && r.actor.type === 'cli')).toBe(true);
    const verify = await runCli(['audit', 'verify', '--data-dir', dataDir]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  });

  it('a collector will not start on a broken policy folder and says which file and line', async () => {
    const r = await runCli(['collector', '--data-dir', join(root, 'other'), '--port', '0'], { SOCLITE_POLICY_DIR: policyDir });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/firewall\.yaml:\d+/);
  });
});
