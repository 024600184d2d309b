// Agent authentication against a real collector over loopback HTTP: every way to forge, replay or reuse an
// identity or an enrollment token is refused with its own code, and nothing is stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enroll } from '../../agent/transport/client.js';
import { newKeyPair } from '../../agent/transport/identity.js';
import { createEnrollmentToken } from '../../collector/fleet/tokens.js';
import { postSigned } from '../helpers/signed-requests.js';
import { addUser, buildUnitTree, enrollTestAgent, rowCounts, startHarness, type Harness, type TestAgent } from './harness.js';
import { retireThroughApi } from '../helpers/api.js';

let h: Harness;
let a: TestAgent;
let b: TestAgent;
const heartbeat = (seq: number) => JSON.stringify({ kind: 'heartbeat', seq, postureHash: null });

beforeAll(async () => {
  h = await startHarness();
  buildUnitTree(h);
  a = enrollTestAgent(h, 'north', 'host-a');
  b = enrollTestAgent(h, 'north', 'host-b');
  const ok = await postSigned(h.collector.url, a.id, a.privateKey, 1, heartbeat(1));
  expect(ok.status, JSON.stringify(ok.body)).toBe(200);
});
afterAll(async () => h?.close());

describe('signed reports', () => {
  const refused = async (p: Promise<{ status: number; body: Record<string, unknown> }>, status: number, code: string) => {
    const before = rowCounts(h);
    const r = await p;
    expect(r.status, JSON.stringify(r.body)).toBe(status);
    expect(r.body.code).toBe(code);
    expect(String(r.body.message).length).toBeGreaterThan(10);
    expect(rowCounts(h)).toEqual(before);
  };

  it('a forged signature (random key) is refused', () => refused(postSigned(h.collector.url, a.id, newKeyPair().privateKey, 2, heartbeat(2)), 401, 'bad_signature'));
  it('another enrolled agent’s key is refused', () => refused(postSigned(h.collector.url, a.id, b.privateKey, 2, heartbeat(2)), 401, 'bad_signature'));
  it('a signature over a different body is refused', async () => {
    const other = await postSigned(h.collector.url, a.id, a.privateKey, 2, heartbeat(2), {
      signatureOverride: (await import('../../agent/transport/identity.js')).signWith(
        a.privateKey,
        (await import('../../protocol/index.js')).requestSigningMessage({ method: 'POST', path: `/api/v1/agents/${a.id}/reports`, agentId: a.id, seq: 2, timestamp: Date.now(), bodySha256: '0'.repeat(64) }),
      ),
    });
    expect(other.status).toBe(401);
    expect(other.body.code).toBe('bad_signature');
  });
  it('a replayed sequence is refused', () => refused(postSigned(h.collector.url, a.id, a.privateKey, 1, JSON.stringify({ kind: 'heartbeat', seq: 1, postureHash: 'f'.repeat(64) })), 409, 'replayed_sequence'));
  it('an old timestamp is refused', () => refused(postSigned(h.collector.url, a.id, a.privateKey, 2, heartbeat(2), { timestamp: Date.now() - 2 * 3600_000 }), 401, 'clock_skew'));
  it('a timestamp from the future is refused', () => refused(postSigned(h.collector.url, a.id, a.privateKey, 2, heartbeat(2), { timestamp: Date.now() + 2 * 3600_000 }), 401, 'clock_skew'));

  it('a retired agent is refused, and retiring is audited', async () => {
    const c = enrollTestAgent(h, 'north', 'host-c');
    expect((await postSigned(h.collector.url, c.id, c.privateKey, 1, heartbeat(1))).status).toBe(200);
    const staff = await addUser(h, 'staff-north', 'it_staff', ['north']);
    const res = await retireThroughApi(h.collector.url, staff.token, c.id, 'disk replaced');
    expect(res.status).toBe(200);
    await refused(postSigned(h.collector.url, c.id, c.privateKey, 2, heartbeat(2)), 403, 'agent_retired');
    const rec = h.collector.store.db.prepare("SELECT * FROM audit_log WHERE action = 'agent.retire'").get() as Record<string, string>;
    expect(rec).toMatchObject({ actor_name: 'staff-north', target_id: c.id, ip: '127.0.0.1' });
    expect(h.collector.store.agents.get(c.id)!.state).toBe('retired');
  });
});

describe('enrollment tokens', () => {
  const tryEnroll = async (token: string) => {
    const keys = newKeyPair();
    return enroll({ serverUrl: h.collector.url }, { token, publicKey: keys.publicKeyB64, agentVersion: 't', hostname: 'h', hardwareId: 'hw', platform: 'linux' }, keys.privateKey);
  };

  it('an expired token is refused', async () => {
    const t = createEnrollmentToken(h.collector.store, { unitId: 'north', ttlHours: 1, createdBy: 'test', now: new Date(Date.now() - 2 * 3600_000) });
    await expect(tryEnroll(t.token)).rejects.toMatchObject({ status: 401, code: 'token_expired' });
  });

  it('an exhausted token is refused after its uses', async () => {
    const t = createEnrollmentToken(h.collector.store, { unitId: 'north', maxUses: 2, createdBy: 'test' });
    await tryEnroll(t.token);
    await tryEnroll(t.token);
    await expect(tryEnroll(t.token)).rejects.toMatchObject({ status: 401, code: 'token_exhausted' });
  });

  it('a token of another unit enrolls into that unit only, and IT staff cannot mint tokens for units outside their scope', async () => {
    const south = createEnrollmentToken(h.collector.store, { unitId: 'south', createdBy: 'test' });
    const res = await tryEnroll(south.token);
    expect(res.unit).toBe('south');
    const staff = await addUser(h, 'staff-north-2', 'it_staff', ['north']);
    const post = (unit: string) =>
      fetch(new URL('/api/v1/tokens', h.collector.url), { method: 'POST', headers: { authorization: `Bearer ${staff.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ unit }) });
    expect((await post('south')).status).toBe(404);
    const mine = await post('north-a');
    expect(mine.status).toBe(201);
    const token = ((await mine.json()) as { token: string }).token;
    expect((await tryEnroll(token)).unit).toBe('north-a');
  });

  it('a proof made with another key is refused', async () => {
    const t = createEnrollmentToken(h.collector.store, { unitId: 'north', createdBy: 'test' });
    const keys = newKeyPair();
    const other = newKeyPair();
    await expect(
      enroll({ serverUrl: h.collector.url }, { token: t.token, publicKey: keys.publicKeyB64, agentVersion: 't', hostname: 'h', hardwareId: 'hw', platform: 'linux' }, other.privateKey),
    ).rejects.toMatchObject({ status: 401, code: 'bad_proof' });
  });

  it('enrollments and refused attempts are in the audit log with the client address', () => {
    const rows = h.collector.store.db.prepare("SELECT outcome, ip, details, unit_ids FROM audit_log WHERE action = 'agent.enroll'").all() as Record<string, string>[];
    expect(rows.filter((r) => r.outcome === 'success' && r.ip === '127.0.0.1').length).toBeGreaterThanOrEqual(3);
    const reasons = rows.filter((r) => r.outcome === 'failure').map((r) => JSON.parse(r.details!).reason);
    expect(reasons).toEqual(expect.arrayContaining(['token_expired', 'token_exhausted', 'bad_proof']));
  });
});
