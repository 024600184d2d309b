// End to end with real processes on loopback: a collector child process, real agent child processes, and a
// hand-driven protocol client for the requests a real agent never sends.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { once } from 'node:events';
import Database from 'better-sqlite3';
import { postureHash, type Posture } from '../../protocol/index.js';
import { enroll } from '../../agent/transport/client.js';
import { newKeyPair, loadIdentity } from '../../agent/transport/identity.js';
import { parseSs } from '../../agent/probes/network/ss.js';
import { ApiClient } from '../helpers/api.js';
import { freePort, runCli, spawnCli, waitFor, type CliProcess } from '../helpers/cli.js';
import { postSigned, announceSigned } from '../helpers/signed-requests.js';

const TIMERS = {
  SOCLITE_AGENTS_HEARTBEATSEC: '1',
  SOCLITE_AGENTS_SCANSEC: '2',
  SOCLITE_AGENTS_LATEAFTERSEC: '3',
  SOCLITE_AGENTS_OFFLINEAFTERSEC: '6',
  SOCLITE_AGENTS_MISSINGAFTERSEC: '600',
  SOCLITE_AGENTS_LIVENESSCHECKSEC: '0.5',
};

let dataDir: string;
let port: number;
let url: string;
let collector: CliProcess;
let api: ApiClient;
let adminPassword: string;
const children: CliProcess[] = [];

async function startCollectorProcess(): Promise<CliProcess> {
  const c = spawnCli(['collector', '--data-dir', dataDir, '--port', String(port)], TIMERS);
  await c.waitForLine(/^URL: (\S+)$/m);
  return c;
}

async function newToken(): Promise<string> {
  const r = await runCli(['token', 'create', '--unit', 'default', '--data-dir', dataDir]);
  expect(r.code, r.stderr).toBe(0);
  const lines = r.stdout.trim().split('\n');
  return lines[lines.length - 1]!;
}

async function enrollAgentProcess(name: string): Promise<{ stateDir: string; agentId: string }> {
  const stateDir = join(dataDir, '..', `agent-${name}`);
  const tokenFile = join(dataDir, '..', `${name}.token`);
  writeFileSync(tokenFile, (await newToken()) + '\n', { mode: 0o600 });
  const r = await runCli(['agent', 'enroll', '--server', url, '--token-file', tokenFile, '--state-dir', stateDir]);
  expect(r.code, r.stderr).toBe(0);
  const agentId = /enrolled as (agt_\S+)/.exec(r.stdout)![1]!;
  return { stateDir, agentId };
}

const agentDetail = async (id: string) => (await api.get<{ agent: Record<string, unknown>; posture: Posture | null }>(`/api/v1/agents/${id}`)).body;

function readDb<T>(fn: (db: Database.Database) => T): T {
  const db = new Database(join(dataDir, 'soclite.db'), { readonly: true, fileMustExist: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

const socketKey = (s: { proto: string; address: string; port: number }) => `${s.proto} ${s.address} ${s.port}`;

beforeAll(async () => {
  const root = mkdtempSync(join(tmpdir(), 'soclite-e2e-'));
  dataDir = join(root, 'data');
  port = await freePort();
  collector = await startCollectorProcess();
  url = (await collector.waitForLine(/^URL: (\S+)$/m))[1]!;
  adminPassword = (await collector.waitForLine(/^admin password: (\S+)$/m))[1]!;
  api = new ApiClient(url);
  await api.login('admin', adminPassword);
});

afterAll(async () => {
  for (const c of children) await c.kill('SIGKILL');
  await collector?.kill('SIGTERM');
});

describe('walking skeleton', () => {
  let agentA: { stateDir: string; agentId: string };
  let agentProc: CliProcess;

  it('enrolls an agent with a token read from a file and keeps its private key 0600', async () => {
    agentA = await enrollAgentProcess('a');
    expect(agentA.agentId).toMatch(/^agt_/);
    expect(statSync(join(agentA.stateDir, 'agent-key.pem')).mode & 0o777).toBe(0o600);
    // The collector stores only the public key: no PEM private key in the database.
    const secrets = readDb((db) => db.prepare("SELECT COUNT(*) AS n FROM agents WHERE public_key LIKE '%PRIVATE%'").get() as { n: number });
    expect(secrets.n).toBe(0);
  });

  it('a reused one-use token and a garbage token are refused', async () => {
    const r = await runCli(['token', 'create', '--unit', 'default', '--max-uses', '1', '--data-dir', dataDir]);
    const token = r.stdout.trim().split('\n').pop()!;
    const keys = newKeyPair();
    const req = { token, publicKey: keys.publicKeyB64, agentVersion: 't', hostname: 'h', hardwareId: 'x', platform: 'linux' };
    await enroll({ serverUrl: url }, req, keys.privateKey);
    const again = newKeyPair();
    await expect(enroll({ serverUrl: url }, { ...req, publicKey: again.publicKeyB64 }, again.privateKey)).rejects.toMatchObject({ status: 401, code: 'token_exhausted' });
    await expect(enroll({ serverUrl: url }, { ...req, token: 'slt_' + 'x'.repeat(43), publicKey: again.publicKeyB64 }, again.privateKey)).rejects.toMatchObject({ code: 'bad_token' });
  });

  it('a running agent reports a posture whose listening sockets match ss -tulnH', async () => {
    agentProc = spawnCli(['agent', 'run', '--state-dir', agentA.stateDir]);
    children.push(agentProc);
    const detail = await waitFor('first posture', async () => (await agentDetail(agentA.agentId)).posture ?? null, 60_000);
    expect(detail.host.hostname.length).toBeGreaterThan(0);
    // Sockets come and go on a live machine (other tests, this collector's connections): compare a fresh
    // posture with ss taken right after it, and retry until two consecutive readings agree.
    await waitFor(
      'posture sockets equal ss -tulnH',
      async () => {
        const before = parseSs(execFileSync('ss', ['-tulnH'], { encoding: 'utf8' }));
        const p = (await agentDetail(agentA.agentId)).posture!;
        const after = parseSs(execFileSync('ss', ['-tulnH'], { encoding: 'utf8' }));
        const want = new Set(before.map(socketKey));
        if ([...want].sort().join() !== [...new Set(after.map(socketKey))].sort().join()) return false;
        const got = new Set(p.network!.listening.map(socketKey));
        return [...want].sort().join('|') === [...got].sort().join('|');
      },
      60_000,
      1000,
    );
  });

  describe('bad requests get a clear 4xx and store nothing', () => {
    let id: string;
    let keys: ReturnType<typeof newKeyPair>;
    let posture: Posture;
    const counts = () =>
      readDb((db) => ({
        history: (db.prepare('SELECT COUNT(*) AS n FROM posture_history WHERE agent_id = ?').get(id) as { n: number }).n,
        events: (db.prepare('SELECT COUNT(*) AS n FROM agent_events WHERE agent_id = ?').get(id) as { n: number }).n,
        lastSeq: (db.prepare('SELECT last_seq AS s FROM agents WHERE id = ?').get(id) as { s: number }).s,
      }));

    beforeAll(async () => {
      keys = newKeyPair();
      const token = await newToken();
      const res = await enroll(
        { serverUrl: url },
        { token, publicKey: keys.publicKeyB64, agentVersion: 'test', hostname: 'probe-host', hardwareId: 'hw-probe', platform: 'linux' },
        keys.privateKey,
      );
      id = res.agentId;
      posture = {
        agent: { id, version: 'test', seq: 1, collectedAt: new Date().toISOString(), scanMs: 5, rssBytes: 1, cpuPercent: 0, probeErrors: [] },
        host: {
          hostname: 'probe-host',
          os: { platform: 'linux', family: 'debian', name: 'Debian', version: '12', build: '', kernel: '6.1' },
          hardwareId: 'hw-probe',
          ips: ['192.0.2.10'],
          macs: [],
        },
      };
      const ok = await postSigned(url, id, keys.privateKey, 1, JSON.stringify({ kind: 'posture', seq: 1, postureHash: postureHash(posture), posture }));
      expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    });

    it('replayed request: 409, nothing stored again', async () => {
      const body = JSON.stringify({ kind: 'posture', seq: 1, postureHash: postureHash(posture), posture });
      const before = counts();
      const replay = await postSigned(url, id, keys.privateKey, 1, body);
      expect(replay.status).toBe(409);
      expect(replay.body.code).toBe('already_accepted');
      const other = await postSigned(url, id, keys.privateKey, 1, JSON.stringify({ kind: 'heartbeat', seq: 1, postureHash: null }));
      expect(other.status).toBe(409);
      expect(other.body).toMatchObject({ code: 'replayed_sequence', lastSeq: 1 });
      expect(counts()).toEqual(before);
    });

    it('forged signature and another agent’s key: 401, nothing stored', async () => {
      const before = counts();
      const body = JSON.stringify({ kind: 'heartbeat', seq: 2, postureHash: null });
      const forged = await postSigned(url, id, newKeyPair().privateKey, 2, body);
      expect(forged.status).toBe(401);
      expect(forged.body.code).toBe('bad_signature');
      const tampered = await postSigned(url, id, keys.privateKey, 2, body, { signatureOverride: 'A'.repeat(86) + '==' });
      expect(tampered.body.code).toBe('bad_signature');
      expect(counts()).toEqual(before);
    });

    it('timestamp outside the window: 401 clock_skew', async () => {
      const r = await postSigned(url, id, keys.privateKey, 2, JSON.stringify({ kind: 'heartbeat', seq: 2, postureHash: null }), { timestamp: Date.now() - 3600_000 });
      expect(r.status).toBe(401);
      expect(r.body.code).toBe('clock_skew');
      expect(String(r.body.message)).toMatch(/s from the collector clock/);
    });

    it('malformed reports: 400 naming the problem, nothing stored', async () => {
      const before = counts();
      const cases: [string, RegExp][] = [
        ['{"kind":"posture","seq":2', /JSON/i],
        [JSON.stringify({ kind: 'posture', seq: 2, postureHash: postureHash(posture), posture: { ...posture, extra: 1 } }), /unknown field "extra"/],
        [JSON.stringify({ kind: 'posture', seq: 2, postureHash: postureHash(posture), posture: { ...posture, host: { ...posture.host, hostname: 42 } } }), /hostname must be string/],
        [JSON.stringify({ kind: 'nonsense', seq: 2 }), /kind must be one of/],
        [JSON.stringify({ kind: 'posture', seq: 2, postureHash: '0'.repeat(64), posture }), /postureHash does not match/],
        [JSON.stringify({ kind: 'heartbeat', seq: 3, postureHash: null }), /does not match the signed header seq/],
        ['{"kind":"heartbeat","seq":2,"postureHash":null,"__proto__":{"x":1}}', /.+/],
      ];
      for (const [body, message] of cases) {
        const r = await postSigned(url, id, keys.privateKey, 2, body);
        expect(r.status, body).toBe(400);
        expect(String(r.body.message), body).toMatch(message);
      }
      const big = await announceSigned(url, id, keys.privateKey, 2, JSON.stringify({ kind: 'heartbeat', seq: 2, postureHash: null, pad: 'x'.repeat(3 * 1024 * 1024) }));
      expect(big.status).toBe(413);
      expect(counts()).toEqual(before);
    });

    it('unknown agent id: 401; rejections are counted in /metrics by reason', async () => {
      const r = await postSigned(url, 'agt_doesnotexist000000', keys.privateKey, 1, JSON.stringify({ kind: 'heartbeat', seq: 1, postureHash: null }));
      expect(r.status).toBe(401);
      expect(r.body.code).toBe('unknown_agent');
      const metrics = await (await fetch(new URL('/metrics', url))).text();
      for (const reason of ['bad_signature', 'already_accepted', 'replayed_sequence', 'clock_skew', 'unknown_agent', 'body_too_large', 'malformed_json']) {
        expect(metrics).toMatch(new RegExp(`soclite_requests_rejected_total\\{reason="${reason}"\\} [1-9]`));
      }
      expect(metrics).toMatch(/soclite_reports_ingested_total\{kind="posture"\} [1-9]/);
      expect(metrics).toMatch(/soclite_ingest_duration_seconds_bucket/);
    });
  });

  it('an agent killed with SIGKILL goes late, then offline', async () => {
    await agentProc.kill('SIGKILL');
    await waitFor('late', async () => (await agentDetail(agentA.agentId)).agent.state === 'late', 20_000);
    const off = await waitFor('offline', async () => {
      const a = (await agentDetail(agentA.agentId)).agent;
      return a.state === 'offline' ? a : null;
    }, 20_000);
    expect(String(off.stateReason)).toMatch(/without a goodbye/);
  });

  it('an agent stopped with SIGTERM says goodbye and goes stopped', async () => {
    const b = await enrollAgentProcess('b');
    const proc = spawnCli(['agent', 'run', '--state-dir', b.stateDir]);
    children.push(proc);
    await waitFor('agent b online with posture', async () => (await agentDetail(b.agentId)).posture ?? null, 60_000);
    expect(await proc.kill('SIGTERM')).toBe(0);
    const a = (await agentDetail(b.agentId)).agent;
    expect(a.state).toBe('stopped');
    expect(String(a.stateReason)).toMatch(/goodbye/);
  });

  it('the outbox survives a collector outage and an agent SIGKILL, then delivers', async () => {
    const c = await enrollAgentProcess('c');
    let proc = spawnCli(['agent', 'run', '--state-dir', c.stateDir]);
    children.push(proc);
    await waitFor('agent c posture', async () => (await agentDetail(c.agentId)).posture ?? null, 60_000);

    await collector.kill('SIGTERM');
    // While the collector is down, this machine's posture changes: a new exposed listener appears.
    const listener: Server = createServer();
    listener.listen(0, '0.0.0.0');
    await once(listener, 'listening');
    const newPort = (listener.address() as { port: number }).port;
    const outboxDir = join(c.stateDir, 'outbox');
    await waitFor('a posture queued in the outbox', () => readdirSync(outboxDir).some((f) => f.startsWith('2-')), 30_000);
    await proc.kill('SIGKILL');
    proc = spawnCli(['agent', 'run', '--state-dir', c.stateDir]);
    children.push(proc);

    collector = await startCollectorProcess();
    await api.login('admin', adminPassword);
    const p = await waitFor(
      'the queued posture with the new listener',
      async () => {
        const d = await agentDetail(c.agentId);
        return d.posture?.network?.listening.some((s) => s.port === newPort && s.exposed) ? d : null;
      },
      60_000,
    );
    expect(p.agent.state).toBe('online');
    expect(p.agent.seqGaps).toBe(0);
    listener.close();
    await proc.kill('SIGTERM');
  });

  it('the agent identity holds the agent id and URL the collector gave', () => {
    const id = loadIdentity(agentA.stateDir);
    expect(id.agentId).toBe(agentA.agentId);
    expect(id.serverUrl).toBe(url);
  });
});
