// Fuzzing the collector with hostile requests. Two runs:
//  - 10,000+ generated requests through app.inject against a real collector (startCollector, real SQLite):
//    fast enough to run in `npm test`; client addresses vary so the per-IP limiter lets the fuzz reach the
//    handlers (the limiter itself is tested in limits.test.ts);
//  - a smaller run over real HTTP against a `soclite collector` child process, watching its RSS in /proc.
// Every answer must be a 4xx with a code and a message, never a 5xx; the process stays up with bounded
// memory; and nothing is stored (row counts of every table but the audit log unchanged; the audit log may
// only gain records of refused attempts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { InjectOptions } from 'fastify';
import { postureHash, requestSigningMessage, sha256Hex, type Posture } from '../../protocol/index.js';
import { signWith } from '../../agent/transport/identity.js';
import { freePort, spawnCli, type CliProcess } from '../helpers/cli.js';
import { addUser, buildUnitTree, enrollTestAgent, rowCounts, startHarness, type Harness, type TestAgent } from './harness.js';
import { auditLog } from '../../collector/audit/index.js';
import { brokenBody, hostileString, INJECTIONS, injectEverywhere, type Body } from './fuzz-inputs.js';

interface FuzzRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  body?: Body;
  /** GET requests with hostile query strings may be answered 200 (a search can match), never with unit south. */
  mayBeEmptyList?: boolean;
}

let h: Harness;
let agents: TestAgent[];
let auditorToken: string;
let adminToken: string;
let seqCounter = 1_000_000;

const validHeartbeat = { kind: 'heartbeat', seq: 5, postureHash: null };
const validEnroll = { token: 'slt_' + 'a'.repeat(43), publicKey: 'A'.repeat(43) + '=', proof: 'A'.repeat(86) + '==', agentVersion: '1', hostname: 'h', hardwareId: 'hw', platform: 'linux' };
const validLogin = { username: 'admin', password: 'x' };
const validUser = { username: 'newuser', password: 'a long enough password', role: 'auditor', unitIds: ['north'] };
const validToken = { unit: 'north', maxUses: 1 };
const validUnit = { id: 'new-unit', name: 'x', parentId: 'north' };

function signed(agent: TestAgent, seq: number, body: Body, extra: Partial<{ timestamp: number }> = {}): Record<string, string> {
  const path = `/api/v1/agents/${agent.id}/reports`;
  const timestamp = extra.timestamp ?? Date.now();
  const signature = signWith(agent.privateKey, requestSigningMessage({ method: 'POST', path, agentId: agent.id, seq, timestamp, bodySha256: sha256Hex(body) }));
  return { 'x-soclite-agent': agent.id, 'x-soclite-seq': String(seq), 'x-soclite-timestamp': String(timestamp), 'x-soclite-signature': signature };
}

function posture(agentId: string): Posture {
  return {
    agent: { id: agentId, version: '1', seq: 1, collectedAt: new Date().toISOString(), scanMs: 1, rssBytes: 1, cpuPercent: 0, probeErrors: [] },
    host: { hostname: 'h', os: { platform: 'linux', family: 'debian', name: 'Debian', version: '12', build: '', kernel: '6.1' }, hardwareId: 'hw', ips: ['192.0.2.1'], macs: [] },
  } as Posture;
}

/** All request generators; each one draws something no route may accept or store. */
function requests(): fc.Arbitrary<FuzzRequest> {
  const json = { 'content-type': 'application/json' };
  const agent = fc.integer({ min: 0, max: agents.length - 1 }).map((i) => agents[i]!);
  return fc.oneof(
    // Unsigned or garbage-signed reports.
    fc.tuple(agent, brokenBody(validHeartbeat), fc.constantFrom({}, { 'x-soclite-agent': 'agt_x', 'x-soclite-seq': '-1', 'x-soclite-timestamp': 'now', 'x-soclite-signature': '<script>' })).map(
      ([a, body, headers]) => ({ method: 'POST' as const, url: `/api/v1/agents/${a.id}/reports`, headers: { ...json, ...(headers as Record<string, string>) }, body }),
    ),
    // Correctly signed, fresh sequence, but a broken body: refused by validation, never stored.
    fc.tuple(agent, brokenBody(validHeartbeat)).map(([a, body]) => {
      const seq = ++seqCounter;
      return { method: 'POST' as const, url: `/api/v1/agents/${a.id}/reports`, headers: { ...json, ...signed(a, seq, body) }, body };
    }),
    // Correctly signed posture with injection strings in every string field, replaying an accepted sequence.
    fc.tuple(agent, fc.shuffledSubarray(INJECTIONS, { minLength: 3 })).map(([a, strings]) => {
      const p = injectEverywhere(posture(a.id), strings) as Posture;
      p.agent.id = a.id;
      const body = JSON.stringify({ kind: 'posture', seq: 1, postureHash: postureHash(p), posture: p });
      return { method: 'POST' as const, url: `/api/v1/agents/${a.id}/reports`, headers: { ...json, ...signed(a, 1, body) }, body };
    }),
    // Hostile agent ids in the path.
    fc.tuple(hostileString, brokenBody(validHeartbeat)).map(([id, body]) => ({ method: 'POST' as const, url: `/api/v1/agents/${pct(id.slice(0, 2000))}/reports`, headers: json, body })),
    // Enrollment: broken bodies, and well-formed ones with injection strings everywhere (bad token).
    brokenBody(validEnroll).map((body) => ({ method: 'POST' as const, url: '/api/v1/enroll', headers: json, body })),
    fc.shuffledSubarray(INJECTIONS, { minLength: 3 }).map((strings) => ({ method: 'POST' as const, url: '/api/v1/enroll', headers: json, body: JSON.stringify(injectEverywhere(validEnroll, strings)) })),
    // Login: broken bodies and hostile credentials.
    brokenBody(validLogin).map((body) => ({ method: 'POST' as const, url: '/api/v1/session', headers: json, body })),
    fc.tuple(hostileString, hostileString).map(([username, password]) => ({
      method: 'POST' as const,
      url: '/api/v1/session',
      headers: json,
      body: JSON.stringify({ username: username.slice(0, 100), password: password.slice(0, 2000) }),
    })),
    // State-changing API routes as an auditor (refused by validation or by role; never stored).
    fc.tuple(fc.constantFrom(['/api/v1/users', validUser], ['/api/v1/tokens', validToken], ['/api/v1/units', validUnit]) as fc.Arbitrary<[string, Record<string, unknown>]>, fc.boolean()).chain(
      ([[url, valid], broken]) =>
        (broken ? brokenBody(valid) : fc.shuffledSubarray(INJECTIONS, { minLength: 3 }).map((s) => JSON.stringify(injectEverywhere(valid, s)))).map((body) => ({
          method: 'POST' as const,
          url,
          headers: { ...json, authorization: `Bearer ${auditorToken}` },
          body,
        })),
    ),
    // Hostile path parameters and query strings on read routes (as an admin: may be 200 with nothing in it).
    fc.tuple(hostileString, fc.constantFrom('/api/v1/agents/', '/api/v1/users/', '/api/v1/alerts/', '/api/v1/agents?q=', '/api/v1/agents?state=', '/api/v1/audit?limit=', '/api/v1/audit?action=')).map(
      ([s, prefix]) => ({ method: 'GET' as const, url: prefix + pct(s.slice(0, 3000)), headers: { authorization: `Bearer ${adminToken}` }, mayBeEmptyList: prefix.includes('?') }),
    ),
    // Junk credentials everywhere.
    fc.tuple(hostileString, fc.constantFrom('/api/v1/agents', '/api/v1/users', '/api/v1/audit')).map(([s, url]) => ({
      method: 'GET' as const,
      url,
      headers: { authorization: 'Bearer ' + s.slice(0, 4000).replace(/[^\x20-\x7e]/g, 'x'), cookie: 'soclite_session=' + pct(s.slice(0, 200)) },
    })),
  );
}

/** Percent-encodes every byte (lone surrogates become U+FFFD); every 3rd string also gets invalid UTF-8. */
let pctCalls = 0;
function pct(s: string): string {
  const bytes = Buffer.from(s, 'utf8').toString('hex').replace(/../g, '%$&');
  return ++pctCalls % 3 === 0 ? '%ff%fe' + bytes : bytes;
}

function checkAnswer(r: FuzzRequest, status: number, text: string): string | null {
  if (r.mayBeEmptyList && status === 200) {
    // The caller is scoped to north: whatever a hostile query matches, nothing of unit south may show.
    return text.includes('"south"') ? `${r.method} ${r.url.slice(0, 80)}: 200 with data of another unit` : null;
  }
  if (status < 400 || status >= 500) return `${r.method} ${r.url.slice(0, 80)}: status ${status} ${text.slice(0, 200)}`;
  let body: { code?: unknown; message?: unknown };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    return `${r.method} ${r.url.slice(0, 80)}: ${status} without a JSON body`;
  }
  if (typeof body.code !== 'string' || typeof body.message !== 'string' || !body.message) return `${r.method} ${r.url.slice(0, 80)}: ${status} without code/message`;
  return null;
}

const auditOutcomes = (db: Database.Database, fromSeq: number) =>
  db.prepare('SELECT outcome, COUNT(*) AS n FROM audit_log WHERE seq > ? GROUP BY outcome').all(fromSeq) as { outcome: string; n: number }[];

describe('fuzz (in process, app.inject)', () => {
  beforeAll(async () => {
    h = await startHarness();
    buildUnitTree(h);
    agents = Array.from({ length: 60 }, (_, i) => enrollTestAgent(h, i % 2 ? 'north' : 'south', `fuzz-${i}`));
    // Each agent has accepted seq 1, so a signed seq-1 posture is a replay.
    for (const a of agents) {
      const body = JSON.stringify({ kind: 'heartbeat', seq: 1, postureHash: null });
      const res = await h.collector.app.inject({ method: 'POST', url: `/api/v1/agents/${a.id}/reports`, headers: { 'content-type': 'application/json', ...signed(a, 1, body) }, payload: body });
      expect(res.statusCode, res.body).toBe(200);
    }
    auditorToken = (await addUser(h, 'fuzz-auditor', 'auditor', ['default'])).token;
    adminToken = (await addUser(h, 'fuzz-admin', 'admin', ['north'])).token;
  });
  afterAll(async () => h?.close());

  it('10,000 hostile requests: all 4xx with a message, nothing stored, memory bounded', async () => {
    const before = rowCounts(h);
    const auditBefore = (h.collector.store.db.prepare('SELECT COALESCE(MAX(seq), 0) AS s FROM audit_log').get() as { s: number }).s;
    const rssBefore = process.memoryUsage().rss;
    let n = 0;
    const failures: string[] = [];
    await fc.assert(
      fc.asyncProperty(requests(), async (r) => {
        n++;
        const ip = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
        const res = await h.collector.app.inject({ method: r.method, url: r.url, headers: r.headers, payload: r.body, remoteAddress: ip } as InjectOptions);
        const problem = checkAnswer(r, res.statusCode, res.body);
        if (problem && failures.length < 20) failures.push(problem);
        return problem === null;
      }),
      { numRuns: 10_000, seed: 20261122, endOnFailure: true },
    );
    expect(failures).toEqual([]);
    expect(n).toBeGreaterThanOrEqual(10_000);
    expect(rowCounts(h)).toEqual(before);
    // The audit log only gained records of refused attempts (failed logins, refused enrollments).
    expect(auditOutcomes(h.collector.store.db, auditBefore).filter((o) => o.outcome !== 'failure')).toEqual([]);
    const health = await h.collector.app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(768 * 1024 * 1024);
    expect(auditLog(h.collector.store).verify().ok).toBe(true);
  }, 600_000);
});

describe('fuzz (real HTTP, collector child process)', () => {
  let proc: CliProcess;
  let url: string;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = join(mkdtempSync(join(tmpdir(), 'soclite-fuzz-http-')), 'data');
    proc = spawnCli(['collector', '--data-dir', dataDir, '--port', String(await freePort())]);
    url = (await proc.waitForLine(/^URL: (\S+)$/m))[1]!;
  });
  afterAll(async () => proc?.kill('SIGTERM'));

  const rssOf = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
  const counts = () => {
    const db = new Database(join(dataDir, 'soclite.db'), { readonly: true, fileMustExist: true });
    try {
      const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'audit_%'").all() as { name: string }[]).map((t) => t.name);
      return Object.fromEntries(tables.map((t) => [t, (db.prepare(`SELECT COUNT(*) AS n FROM "${t}"`).get() as { n: number }).n]));
    } finally {
      db.close();
    }
  };

  it('600 hostile requests over loopback: 4xx each, the process stays up, RSS bounded, nothing stored', async () => {
    // Requests that need fixtures of the in-process run are drawn from the unauthenticated generators only.
    agents = [{ id: 'agt_' + 'A'.repeat(22), unitId: 'default', privateKey: (await import('../../agent/transport/identity.js')).newKeyPair().privateKey }];
    auditorToken = 'sla_' + 'B'.repeat(43);
    adminToken = 'sla_' + 'C'.repeat(43);
    const pid = proc.child.pid!;
    const before = counts();
    const rssBefore = rssOf(pid);
    let maxRss = rssBefore;
    const samples = fc.sample(requests(), { numRuns: 600, seed: 7 });
    const failures: string[] = [];
    for (const r of samples) {
      const res = await fetch(new URL(r.url, url), { method: r.method, headers: r.headers, body: r.body as BodyInit | undefined });
      const text = await res.text();
      // With junk tokens the admin read routes are 401 here, which is the point of this run.
      const problem = checkAnswer({ ...r, mayBeEmptyList: false }, res.status, text);
      if (problem && res.status !== 429 && failures.length < 20) failures.push(problem);
      maxRss = Math.max(maxRss, rssOf(pid));
    }
    expect(failures).toEqual([]);
    expect(proc.child.exitCode).toBeNull();
    expect((await fetch(new URL('/healthz', url))).status).toBe(200);
    expect(counts()).toEqual(before);
    expect(maxRss - rssBefore).toBeLessThan(512 * 1024 * 1024);
  }, 300_000);
});
