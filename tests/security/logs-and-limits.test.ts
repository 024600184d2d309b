// No secret in the collector's logs (a real child process at trace level while enrolling, logging in,
// creating tokens and sending signed reports); login lockout per user and per IP; request rate limits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { enroll } from '../../agent/transport/client.js';
import { newKeyPair, signWith } from '../../agent/transport/identity.js';
import { freePort, runCli, spawnCli, type CliProcess } from '../helpers/cli.js';
import { agentHeaders, postSigned } from '../helpers/signed-requests.js';
import { HEADER_SIGNATURE, requestSigningMessage, sha256Hex } from '../../protocol/index.js';
import { addUser, enrollTestAgent, json, PASSWORD, startHarness, type Harness, type TestAgent } from './harness.js';
import { LoginThrottle } from '../../collector/auth/login-throttle.js';
import { buildHttpApp } from '../../collector/http/app.js';
import { pino } from 'pino';

describe('no secret reaches the logs', () => {
  let proc: CliProcess;
  let url: string;
  let dataDir: string;
  const secrets: string[] = [];

  beforeAll(async () => {
    dataDir = join(mkdtempSync(join(tmpdir(), 'soclite-logs-')), 'data');
    proc = spawnCli(['collector', '--data-dir', dataDir, '--port', String(await freePort())], { SOCLITE_LOG_LEVEL: 'trace', SOCLITE_SERVER_LOGREQUESTS: 'true' });
    url = (await proc.waitForLine(/^URL: (\S+)$/m))[1]!;
    secrets.push((await proc.waitForLine(/^admin password: (\S+)$/m))[1]!);
  });
  afterAll(async () => proc?.kill('SIGTERM'));

  it('enroll, login (good and bad), token creation and signed reports leave no secret in pino output', async () => {
    const admin = secrets[0]!;
    // login: bad then good
    await fetch(new URL('/api/v1/session', url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'wrong-' + admin }) });
    const login = await fetch(new URL('/api/v1/session', url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: admin }) });
    const session = /soclite_session=([^;]+)/.exec(login.headers.get('set-cookie') ?? '')![1]!;
    const csrf = ((await login.json()) as { csrfToken: string }).csrfToken;
    secrets.push(session, csrf);
    const cookie = `soclite_session=${session}`;
    // an enrollment token and an API token through the API
    const tok = await fetch(new URL('/api/v1/tokens', url), { method: 'POST', headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' }, body: JSON.stringify({ unit: 'default' }) });
    const enrollToken = ((await tok.json()) as { token: string }).token;
    const users = (await (await fetch(new URL('/api/v1/users', url), { headers: { cookie } })).json()) as { items: { id: string }[] };
    const api = await fetch(new URL('/api/v1/api-tokens', url), { method: 'POST', headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' }, body: JSON.stringify({ userId: users.items[0]!.id, name: 'ci' }) });
    const apiToken = ((await api.json()) as { token: string }).token;
    secrets.push(enrollToken, apiToken);
    // an API call with the bearer token, and a CLI-made password for a user
    await fetch(new URL('/api/v1/agents', url), { headers: { authorization: `Bearer ${apiToken}` } });
    const pwFile = join(dataDir, '..', 'pw');
    writeFileSync(pwFile, 'another-secret-password-123\n', { mode: 0o600 });
    secrets.push('another-secret-password-123');
    expect((await runCli(['user', 'add', 'lan', '--role', 'it_staff', '--unit', 'default', '--password-file', pwFile, '--data-dir', dataDir])).code).toBe(0);
    await fetch(new URL('/api/v1/session', url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'lan', password: 'another-secret-password-123' }) });
    // enrollment and signed reports
    const keys = newKeyPair();
    const res = await enroll({ serverUrl: url }, { token: enrollToken, publicKey: keys.publicKeyB64, agentVersion: 't', hostname: 'log-host', hardwareId: 'hw', platform: 'linux' }, keys.privateKey);
    const privatePem = keys.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    secrets.push(privatePem.split('\n')[1]!);
    for (let seq = 1; seq <= 3; seq++) {
      const r = await postSigned(url, res.agentId, keys.privateKey, seq, JSON.stringify({ kind: 'heartbeat', seq, postureHash: null }));
      expect(r.status).toBe(200);
    }
    const forged = await postSigned(url, res.agentId, newKeyPair().privateKey, 4, JSON.stringify({ kind: 'heartbeat', seq: 4, postureHash: null }));
    expect(forged.status).toBe(401);
    await new Promise((r) => setTimeout(r, 300));

    const logLines = proc.stdout().split('\n').filter((l) => l.startsWith('{'));
    expect(logLines.length).toBeGreaterThan(20); // trace level: requests were logged
    const log = logLines.join('\n');
    for (const s of secrets) expect(log.includes(s), `secret ${s.slice(0, 6)}… appears in the log`).toBe(false);
    // Nothing that looks like key material, a signature header value or a token of either kind.
    expect(log).not.toMatch(/PRIVATE KEY|sl[at]_[A-Za-z0-9_-]{20,}|x-soclite-signature":"[A-Za-z0-9+/]{20,}/);
  });
});

describe('login throttling and lockout', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await addUser(h, 'nam', 'auditor', ['default']);
  });
  afterAll(async () => h?.close());

  const login = (username: string, password: string, ip = '198.51.100.1') =>
    h.collector.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username, password }, remoteAddress: ip });

  it('locks a username after 5 failures, even for the right password, and says when to retry', async () => {
    for (let i = 0; i < 5; i++) expect((await login('nam', 'wrong password ' + i, `198.51.100.${i + 10}`)).statusCode).toBe(401);
    const locked = await login('nam', PASSWORD, '198.51.100.99');
    expect(locked.statusCode).toBe(429);
    expect(json(locked).code).toBe('login_locked');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    const audited = h.collector.store.db.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'session.login' AND outcome = 'failure'").get() as { n: number };
    expect(audited.n).toBe(6);
  });

  it('locks an IP spraying many usernames', async () => {
    for (let i = 0; i < 20; i++) await login(`spray${i}`, 'guess', '203.0.113.5');
    const r = await login('someone-else', 'guess', '203.0.113.5');
    expect(r.statusCode).toBe(429);
    expect(json(r).message).toMatch(/from this address/);
    expect((await login('fresh-user', 'guess', '203.0.113.6')).statusCode).toBe(401);
  });

  it('the lock ends after the window; a success clears the user count (pure throttle)', () => {
    const t = new LoginThrottle({ loginFailuresPerUser: 2, loginFailuresPerIp: 100, loginLockoutSec: 60 });
    t.fail('a', 'ip', 0);
    t.fail('a', 'ip', 1);
    expect(t.check('a', 'ip', 2)).toMatchObject({ allowed: false, scope: 'user' });
    expect(t.check('a', 'ip', 61_002)).toEqual({ allowed: true });
    t.fail('b', 'ip', 0);
    t.succeed('b');
    t.fail('b', 'ip', 1);
    expect(t.check('b', 'ip', 2)).toEqual({ allowed: true });
  });
});

describe('request rate limits', () => {
  it('per IP for API calls; agent reports per authenticated agent, and refused ones per IP: 429 with a code and a message', async () => {
    const h = await startHarness();
    try {
      const app = await buildHttpApp({ service: h.collector.service, version: 't', logger: pino({ level: 'silent' }), limits: { requestsPerMinutePerIp: 5, reportsPerMinutePerAgent: 3 } });
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) statuses.push((await app.inject({ method: 'GET', url: '/api/v1/agents', remoteAddress: '192.0.2.50' })).statusCode);
      expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
      expect(statuses.slice(5)).toEqual([429, 429]);
      const limited = await app.inject({ method: 'GET', url: '/api/v1/agents', remoteAddress: '192.0.2.50' });
      expect(json(limited)).toMatchObject({ code: 'rate_limited', statusCode: 429 });
      expect(json(limited).retryAfterMs).toBeGreaterThan(0);
      expect((await app.inject({ method: 'GET', url: '/api/v1/agents', remoteAddress: '192.0.2.51' })).statusCode).toBe(401);
      // Agent reports: counted per agent once the signature verified, never per address; refused ones per address.
      const [agentA, agentB] = [enrollTestAgent(h, 'default', 'host-a'), enrollTestAgent(h, 'default', 'host-b')];
      const heartbeat = (agent: TestAgent, seq: number, ip: string, auth: 'signed' | 'unsigned' = 'signed') => {
        const path = `/api/v1/agents/${agent.id}/reports`;
        const body = JSON.stringify({ kind: 'heartbeat', seq, postureHash: null });
        const timestamp = Date.now();
        const signature = signWith(agent.privateKey, requestSigningMessage({ method: 'POST', path, agentId: agent.id, seq, timestamp, bodySha256: sha256Hex(body) }));
        const headers = auth === 'signed' ? agentHeaders(agent.id, seq, timestamp, { [HEADER_SIGNATURE]: signature }) : {};
        return app.inject({ method: 'POST', url: path, payload: body, headers: { 'content-type': 'application/json', ...headers }, remoteAddress: ip });
      };
      // Junk in A's name from one address is refused and does not use up A's quota.
      for (let i = 0; i < 4; i++) expect(json(await heartbeat(agentA, 100 + i, '192.0.2.60', 'unsigned'))).toMatchObject({ statusCode: 401, code: 'unsigned' });
      const fromNat = '192.0.2.61';
      for (let seq = 1; seq <= 3; seq++) expect((await heartbeat(agentA, seq, fromNat)).statusCode).toBe(200);
      const overQuota = await heartbeat(agentA, 4, fromNat);
      expect(json(overQuota)).toMatchObject({ statusCode: 429, code: 'rate_limited' });
      expect(json(overQuota).retryAfterMs).toBeGreaterThan(0);
      expect(Number(overQuota.headers['retry-after'])).toBe(Math.ceil(Number(json(overQuota).retryAfterMs) / 1000));
      expect(h.collector.store.agents.get(agentA.id)!.lastSeq).toBe(3);
      // Another agent behind the same address goes on: accepted traffic is not counted per address (6 > 5 here).
      expect((await heartbeat(agentB, 1, fromNat)).statusCode).toBe(200);
      expect((await heartbeat(agentB, 2, fromNat)).statusCode).toBe(200);
      // A fifth refusal from the junk address: from then on its agent requests are turned away before any check,
      // even a well-signed one, and nothing of it is stored (the same report goes through from elsewhere).
      expect((await heartbeat(agentA, 200, '192.0.2.60', 'unsigned')).statusCode).toBe(401);
      expect(json(await heartbeat(agentB, 3, '192.0.2.60'))).toMatchObject({ statusCode: 429, code: 'rate_limited' });
      expect(h.collector.store.agents.get(agentB.id)!.lastSeq).toBe(2);
      expect((await heartbeat(agentB, 3, fromNat)).statusCode).toBe(200);
      await app.close();
    } finally {
      await h.close();
    }
  });
});
