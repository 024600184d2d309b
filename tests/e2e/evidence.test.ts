// End to end: a real collector child process with a real agent (`soclite agent run`) and protocol-level agents
// sending fixture postures. Evidence is exported through the API (a job in a child process, downloaded as a zip)
// and with `soclite evidence export` beside the running collector. The bundle passes the official OSCAL schema,
// `sha256sum -c` and `openssl pkeyutl -verify`; a changed byte in any file makes `soclite evidence verify` fail
// naming it; "as of" an instant before a control broke shows it passing, after shows it failing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { postureHash, type Posture } from '../../protocol/index.js';
import { enroll } from '../../agent/transport/client.js';
import { newKeyPair } from '../../agent/transport/identity.js';
import { VERIFY_SIGNATURE_COMMAND, VERIFY_SUMS_COMMAND } from '../../collector/evidence/bundle-readme.js';
import { REPO_ROOT, freePort, runCli, spawnCli, waitFor, type CliProcess } from '../helpers/cli.js';
import { postSigned } from '../helpers/signed-requests.js';
import { parseCsv } from '../evidence/csv-parse.js';
import { extractFlatZip } from '../evidence/unzip.js';
import { User } from '../helpers/api.js';

const run = promisify(execFile);
const oscalSchemaPath = join(resolve(REPO_ROOT, '../shared'), 'oscal/v1.1.2/oscal_assessment-results_schema.json');
const BUNDLE_FILES = [
  'assessment-results.json', 'controls.csv', 'findings.csv', 'machines.csv', 'history.csv', 'attestations.csv', 'report.html',
  'report.pdf', 'public-key.pem', 'README.txt', 'manifest.json', 'SHA256SUMS', 'SHA256SUMS.sig',
];
const TIMERS = { SOCLITE_AGENTS_HEARTBEATSEC: '1', SOCLITE_AGENTS_SCANSEC: '2', SOCLITE_AGENTS_LATEAFTERSEC: '30' };

interface JobView {
  id: string;
  status: 'running' | 'done' | 'failed';
  scope: { level: number; unit: string | null; system: string | null; from: string | null; to: string; asOf: string | null };
  progress: { phase: string; done: number; total: number };
  result: { bundleId: string; fingerprint: string; machines: number; bytes: number; sha256: string } | null;
  verification: { ok: boolean; verified: number; problems: unknown[] } | null;
  error: string | null;
  downloadUrl: string | null;
}


const root = mkdtempSync(join(tmpdir(), 'soclite-evidence-e2e-'));
const dataDir = join(root, 'data');
let collector: CliProcess;
let agentProc: CliProcess | undefined;
let url: string;
let admin: User;
let adminPassword: string;
let realAgentId: string;
type Sim = { id: string; send: (p: Posture) => Promise<void> };
const sims = {} as Record<'server' | 'weak' | 'north', Sim>;
let beforeBreak: string;
let afterBreak: string;

const fixture = (name: string) => JSON.parse(readFileSync(join(REPO_ROOT, 'tests/fixtures/postures', name), 'utf8')) as Posture;

async function token(unit: string): Promise<string> {
  const r = await runCli(['token', 'create', '--unit', unit, '--data-dir', dataDir]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.trim().split('\n').pop()!;
}

async function protocolAgent(unit: string, hostname: string): Promise<{ id: string; send: (p: Posture) => Promise<void> }> {
  const keys = newKeyPair();
  const res = await enroll(
    { serverUrl: url },
    { token: await token(unit), publicKey: keys.publicKeyB64, agentVersion: 'sim', hostname, hardwareId: `hw-${hostname}`, platform: 'linux' },
    keys.privateKey,
  );
  let seq = 0;
  return {
    id: res.agentId,
    async send(p: Posture) {
      seq++;
      const posture = { ...p, agent: { ...p.agent, id: res.agentId, seq }, host: { ...p.host, hostname } };
      const out = await postSigned(url, res.agentId, keys.privateKey, seq, JSON.stringify({ kind: 'posture', seq, postureHash: postureHash(posture), posture }));
      expect(out.status, JSON.stringify(out.body)).toBe(200);
    },
  };
}

async function exportViaApi(user: User, body: Record<string, unknown>): Promise<JobView> {
  const started = await user.call<JobView>('POST', '/api/v1/evidence/exports', body);
  expect(started.status, JSON.stringify(started.body)).toBe(202);
  expect(started.body.status).toBe('running');
  return waitFor(
    `export ${started.body.id}`,
    async () => {
      const r = await user.call<JobView>('GET', `/api/v1/evidence/exports/${started.body.id}`);
      return r.body.status === 'running' ? null : r.body;
    },
    120_000,
    250,
  );
}

async function exportViaCli(name: string, extra: string[]): Promise<{ zip: string; dir: string; stdout: string }> {
  const zip = join(root, `${name}.zip`);
  const r = await runCli(['evidence', 'export', '--level', '3', '--data-dir', dataDir, '--out', zip, ...extra]);
  expect(r.code, r.stderr).toBe(0);
  const dir = join(root, name);
  await extractFlatZip(zip, dir);
  return { zip, dir, stdout: r.stdout };
}

function csvRecords(file: string): Record<string, string>[] {
  const text = readFileSync(file, 'utf8');
  expect(text.startsWith('\uFEFF')).toBe(true);
  const rows = parseCsv(text.slice(1));
  return rows.slice(1).map((r) => Object.fromEntries(rows[0]!.map((h, i) => [h, r[i]!])));
}

const statusOf = (dir: string, agentId: string, controlId: string) =>
  csvRecords(join(dir, 'findings.csv')).find((r) => r.agent_id === agentId && r.control_id === controlId)?.status;

beforeAll(async () => {
  collector = spawnCli(['collector', '--data-dir', dataDir, '--port', String(await freePort())], TIMERS);
  url = (await collector.waitForLine(/^URL: (\S+)$/m))[1]!;
  adminPassword = (await collector.waitForLine(/^admin password: (\S+)$/m))[1]!;
  admin = await new User(url).login('admin', adminPassword);

  // The organisation: unit "north" under the default unit, and a level-3 information system.
  expect((await admin.call('POST', '/api/v1/units', { id: 'north', name: 'Phòng phía Bắc', parentId: 'default', defaultLevel: 3 })).status).toBe(201);
  const sys = await admin.call('POST', '/api/v1/systems', { id: 'egov', unitId: 'default', name: 'Cổng dịch vụ công', level: 3, approvalRef: 'QĐ 12/QĐ-UBND' });
  expect(sys.status, JSON.stringify(sys.body)).toBe(201);

  // A real agent on this machine.
  const tokenFile = join(root, 'agent.token');
  writeFileSync(tokenFile, (await token('default')) + '\n', { mode: 0o600 });
  const stateDir = join(root, 'agent-state');
  const en = await runCli(['agent', 'enroll', '--server', url, '--token-file', tokenFile, '--state-dir', stateDir]);
  expect(en.code, en.stderr).toBe(0);
  realAgentId = /enrolled as (agt_\S+)/.exec(en.stdout)![1]!;
  agentProc = spawnCli(['agent', 'run', '--state-dir', stateDir], TIMERS);

  // Simulated agents: a server that will lose its firewall, a weak workstation, and one in unit north.
  sims.server = await protocolAgent('default', 'srv-web-01');
  sims.weak = await protocolAgent('default', 'ws-ketoan-02');
  sims.north = await protocolAgent('north', 'ws-north-01');
  await waitFor('the real agent posture', async () => {
    const r = await admin.call<{ posture: unknown }>('GET', `/api/v1/agents/${realAgentId}`);
    return r.body.posture ?? null;
  }, 60_000);
  for (const id of [realAgentId, sims.server.id, sims.weak.id]) {
    const put = await admin.call('PUT', `/api/v1/agents/${id}/systems`, { systemIds: ['egov'] });
    expect(put.body, id).toMatchObject({ level: 3 });
  }
  const good = fixture('linux-server-compliant.json');
  await sims.server.send(good);
  await sims.weak.send(fixture('windows-workstation-weak.json'));
  await sims.north.send(fixture('windows-workstation-partial.json'));
  const day = 86_400_000;
  const att = await admin.call('POST', '/api/v1/attestations', {
    kind: 'drill', title: 'Biên bản diễn tập 2026', documentSha256: 'b'.repeat(64),
    validFrom: new Date(Date.now() - day).toISOString(), validUntil: new Date(Date.now() + 300 * day).toISOString(),
  });
  expect(att.status, JSON.stringify(att.body)).toBe(201);

  // The control breaks between these two instants.
  await new Promise((r) => setTimeout(r, 50));
  beforeBreak = new Date().toISOString();
  await new Promise((r) => setTimeout(r, 50));
  await sims.server.send({ ...good, network: { ...good.network!, firewall: { ...good.network!.firewall!, enabled: false } } });
  await new Promise((r) => setTimeout(r, 50));
  afterBreak = new Date().toISOString();
}, 180_000);

afterAll(async () => {
  await agentProc?.kill('SIGTERM');
  const t = Date.now();
  await collector?.kill('SIGTERM');
  console.log(`collector stopped in ${Date.now() - t} ms`);
}, 120_000);

describe('evidence export from a running collector', () => {
  let job: JobView;
  let apiDir: string;
  let apiZip: string;

  it('runs an API export job to the end, verified, and serves the zip', async () => {
    job = await exportViaApi(admin, { level: 3 });
    expect(job.error).toBeNull();
    expect(job.status).toBe('done');
    expect(job.progress.phase).toBe('done');
    expect(job.verification).toEqual({ ok: true, verified: 11, problems: [] });
    // The level-3 system's three machines and the machine of unit north, whose default level is 3.
    expect(job.result!.machines).toBe(4);
    const dl = await admin.download(job.downloadUrl!);
    expect(dl.status).toBe(200);
    expect(dl.type).toBe('application/zip');
    expect(dl.bytes.length).toBe(job.result!.bytes);
    apiZip = join(root, 'api.zip');
    writeFileSync(apiZip, dl.bytes);
    const check = await runCli(['evidence', 'verify', apiZip]);
    expect(check.code, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toMatch(/^OK: 11 files/);
    expect(check.stdout).toContain(job.result!.fingerprint);
    apiDir = join(root, 'api');
    expect((await extractFlatZip(apiZip, apiDir)).sort()).toEqual([...BUNDLE_FILES].sort());
  }, 180_000);

  it('holds the real and the simulated machines with their findings', () => {
    const machines = csvRecords(join(apiDir, 'machines.csv')).map((m) => m.agent_id);
    expect(machines.sort()).toEqual([realAgentId, sims.server.id, sims.weak.id, sims.north.id].sort());
    const findings = csvRecords(join(apiDir, 'findings.csv'));
    const real = findings.filter((f) => f.agent_id === realAgentId);
    expect(real.length).toBeGreaterThan(10);
    // The real agent reported facts: not every control of this machine can be unknown.
    expect(real.some((f) => f.status === 'pass' || f.status === 'fail')).toBe(true);
    expect(statusOf(apiDir, sims.server.id, 'vn.firewall.enabled')).toBe('fail');
    const drill = csvRecords(join(apiDir, 'attestations.csv')).find((a) => a.document_sha256 === 'b'.repeat(64));
    expect(drill?.valid_at_period_end).toBe('true');
  });

  it('writes OSCAL assessment results valid against the official schema', () => {
    const doc = JSON.parse(readFileSync(join(apiDir, 'assessment-results.json'), 'utf8'));
    if (!existsSync(oscalSchemaPath)) {
      console.warn(`shared fixtures absent (${oscalSchemaPath}): OSCAL schema check did not run`);
    } else {
      const ajv = new Ajv.default({ allErrors: true, strict: false });
      addFormats.default(ajv);
      const validate = ajv.compile(JSON.parse(readFileSync(oscalSchemaPath, 'utf8')));
      validate(doc);
      expect(validate.errors ?? []).toEqual([]);
    }
    const result = doc['assessment-results'].results[0];
    const hostnames = result['local-definitions']['inventory-items'].map((i: { props: { name: string; value: string }[] }) => i.props.find((p) => p.name === 'hostname')!.value);
    expect(hostnames).toEqual(expect.arrayContaining(['srv-web-01', 'ws-ketoan-02']));
  });

  it('passes sha256sum -c and openssl pkeyutl -verify', async () => {
    const sums = await run('sh', ['-c', VERIFY_SUMS_COMMAND], { cwd: apiDir });
    expect(sums.stdout.trim().split('\n')).toHaveLength(11);
    expect(sums.stdout).not.toMatch(/FAILED/);
    const sig = await run('sh', ['-c', VERIFY_SIGNATURE_COMMAND], { cwd: apiDir });
    expect(sig.stdout).toContain('Signature Verified Successfully');
  });

  it('soclite evidence verify fails naming any file with one changed byte', async () => {
    const results = await Promise.all(
      BUNDLE_FILES.map(async (name) => {
        const dir = join(root, `tamper-${name}`);
        cpSync(apiDir, dir, { recursive: true });
        const file = join(dir, name);
        const bytes = readFileSync(file);
        const at = Math.floor(bytes.length / 2);
        bytes[at] = bytes[at]! ^ 0x01;
        writeFileSync(file, bytes);
        return { name, r: await runCli(['evidence', 'verify', dir]) };
      }),
    );
    for (const { name, r } of results) {
      expect(r.code, name).toBe(1);
      expect(r.stdout, name).toMatch(/FAILED/);
      expect(r.stdout, name).toContain(name);
    }
  }, 120_000);

  it('"as of" before the break shows the control passing, after shows it failing (CLI beside the collector)', async () => {
    const before = await exportViaCli('asof-before', ['--as-of', beforeBreak]);
    const after = await exportViaCli('asof-after', ['--as-of', afterBreak]);
    expect(statusOf(before.dir, sims.server.id, 'vn.firewall.enabled')).toBe('pass');
    expect(statusOf(after.dir, sims.server.id, 'vn.firewall.enabled')).toBe('fail');
    const manifest = JSON.parse(readFileSync(join(before.dir, 'manifest.json'), 'utf8'));
    expect(manifest.scope.asOf).toBe(beforeBreak);
    // The same collector key signs CLI and API bundles.
    expect(before.stdout).toContain(job.result!.fingerprint);
    // The history of a period that ends after the break holds the transition.
    const period = await exportViaCli('period', ['--from', beforeBreak, '--to', afterBreak]);
    const moves = csvRecords(join(period.dir, 'history.csv')).filter((h) => h.agent_id === sims.server.id && h.control_id === 'vn.firewall.enabled');
    expect(moves.map((m) => [m.from, m.to])).toEqual([['pass', 'fail']]);
  }, 120_000);

  it('"as of" through the API reads the ledger too', async () => {
    const before = await exportViaApi(admin, { level: 3, asOf: beforeBreak });
    expect(before.status).toBe('done');
    expect(before.scope.asOf).toBe(beforeBreak);
    const dir = join(root, 'api-asof');
    const zip = join(root, 'api-asof.zip');
    writeFileSync(zip, (await admin.download(before.downloadUrl!)).bytes);
    await extractFlatZip(zip, dir);
    expect(statusOf(dir, sims.server.id, 'vn.firewall.enabled')).toBe('pass');
  }, 120_000);
});

describe('who may export what', () => {
  let auditor: User;
  let responder: User;

  beforeAll(async () => {
    for (const [username, role] of [['kiemtoan-bac', 'auditor'], ['ir-bac', 'incident_responder']] as const) {
      const r = await admin.call('POST', '/api/v1/users', { username, password: 'mot mat khau du dai 2026', role, unitIds: ['north'] });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
    auditor = await new User(url).login('kiemtoan-bac', 'mot mat khau du dai 2026');
    responder = await new User(url).login('ir-bac', 'mot mat khau du dai 2026');
  });

  it('an auditor scoped to a unit exports only that subtree', async () => {
    const job = await exportViaApi(auditor, { level: 3 });
    expect(job.status).toBe('done');
    expect(job.scope.unit).toBe('north');
    const zip = join(root, 'north.zip');
    writeFileSync(zip, (await auditor.download(job.downloadUrl!)).bytes);
    const dir = join(root, 'north');
    await extractFlatZip(zip, dir);
    expect(csvRecords(join(dir, 'machines.csv')).map((m) => m.agent_id)).toEqual([sims.north.id]);
  }, 120_000);

  it('refuses units outside the caller and hides other units’ exports', async () => {
    const out = await auditor.call<{ code: string }>('POST', '/api/v1/evidence/exports', { level: 3, unit: 'default' });
    expect(out.status).toBe(403);
    expect(out.body.code).toBe('out_of_scope');
    const list = await auditor.call<{ items: JobView[] }>('GET', '/api/v1/evidence/exports');
    expect(list.body.items.length).toBeGreaterThan(0);
    expect(list.body.items.every((j) => j.scope.unit === 'north')).toBe(true);
    const adminJobs = (await admin.call<{ items: JobView[] }>('GET', '/api/v1/evidence/exports')).body.items.filter((j) => j.scope.unit === null);
    expect(adminJobs.length).toBeGreaterThan(0);
    expect((await auditor.call('GET', `/api/v1/evidence/exports/${adminJobs[0]!.id}`)).status).toBe(404);
    expect((await auditor.download(`/api/v1/evidence/exports/${adminJobs[0]!.id}/download`)).status).toBe(404);
  });

  it('refuses roles that do not export, and bad scopes with a clear error', async () => {
    const r = await responder.call<{ code: string }>('POST', '/api/v1/evidence/exports', { level: 3 });
    expect(r.status).toBe(403);
    expect(r.body.code).toBe('forbidden');
    expect((await responder.call('GET', '/api/v1/evidence/exports')).status).toBe(403);
    const both = await admin.call<{ code: string; message: string }>('POST', '/api/v1/evidence/exports', { level: 3, asOf: '2026-01-01', from: '2026-01-01', to: '2026-02-01' });
    expect(both.status).toBe(400);
    expect(both.body.message).toMatch(/either asOf or from/);
    const level = await admin.call<{ code: string }>('POST', '/api/v1/evidence/exports', { level: 9 });
    expect(level.status).toBe(400);
  });

  it('records exports and downloads in the audit log', async () => {
    const r = await admin.call<{ items: { action: string; outcome: string; actor: { name: string } }[] }>('GET', '/api/v1/audit?limit=200');
    const actions = r.body.items.map((i) => `${i.action}:${i.actor.name}:${i.outcome}`);
    expect(actions).toEqual(expect.arrayContaining(['evidence.export:admin:success', 'evidence.export_finish:admin:success', 'evidence.download:admin:success', 'evidence.export:kiemtoan-bac:success']));
  });

  it('keeps finished exports listed after a collector restart', async () => {
    const before = (await admin.call<{ items: JobView[] }>('GET', '/api/v1/evidence/exports')).body.items;
    const port = new URL(url).port;
    await agentProc?.kill('SIGTERM');
    agentProc = undefined;
    await collector.kill('SIGTERM');
    collector = spawnCli(['collector', '--data-dir', dataDir, '--port', port], TIMERS);
    await collector.waitForLine(/^URL: (\S+)$/m);
    await admin.login('admin', adminPassword);
    const after = (await admin.call<{ items: JobView[] }>('GET', '/api/v1/evidence/exports')).body.items;
    expect(after.map((j) => [j.id, j.status])).toEqual(before.map((j) => [j.id, j.status]));
    const dl = await admin.download(after[0]!.downloadUrl!);
    expect(dl.bytes.length).toBe(after[0]!.result!.bytes);
  }, 120_000);
});
