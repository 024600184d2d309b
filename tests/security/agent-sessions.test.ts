// Session-authenticated agent requests against a real collector over loopback HTTP: a session is opened with an
// Ed25519-signed X25519 exchange, then reports carry an HMAC under the derived key. Every way to misuse a
// session is refused with its own code and stores nothing; sequence and replay rules are those of signed reports.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CollectorError, openSession, type AgentSession } from '../../agent/transport/client.js';
import { newKeyPair, signWith } from '../../agent/transport/identity.js';
import { AgentSessions } from '../../collector/fleet/sessions.js';
import { HEADER_AGENT, HEADER_SEQ, HEADER_SIGNATURE, HEADER_TIMESTAMP, newX25519KeyPair, postureHash, requestSigningMessage, requestSigningText, sessionMac, sessionMacMatches, sha256Hex } from '../../protocol/index.js';
import { buildPosture, machineProfile } from '../../scripts/simulate/profile.js';
import { Rng } from '../../scripts/simulate/rng.js';
import { postSigned, type RawResult } from '../helpers/signed-requests.js';
import { postWithSession } from '../helpers/session-requests.js';
import { addUser, buildUnitTree, enrollTestAgent, rowCounts, startHarness, type Harness, type TestAgent } from './harness.js';
import { retireThroughApi } from '../helpers/api.js';

let h: Harness;
let a: TestAgent;
let b: TestAgent;
let sa: AgentSession;
const heartbeat = (seq: number, hash: string | null = null) => JSON.stringify({ kind: 'heartbeat', seq, postureHash: hash });
const client = () => ({ serverUrl: h.collector.url });

/** An opening signed by hand, so tests can send bodies and timestamps a real agent would not. */
async function postOpening(agent: TestAgent, body: string, opts: { timestamp?: number; key?: TestAgent['privateKey'] } = {}): Promise<RawResult> {
  const path = `/api/v1/agents/${agent.id}/sessions`;
  const timestamp = opts.timestamp ?? Date.now();
  const signature = signWith(opts.key ?? agent.privateKey, requestSigningMessage({ method: 'POST', path, agentId: agent.id, seq: 1, timestamp, bodySha256: sha256Hex(body) }));
  const res = await fetch(new URL(path, h.collector.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', [HEADER_AGENT]: agent.id, [HEADER_SEQ]: '1', [HEADER_TIMESTAMP]: String(timestamp), [HEADER_SIGNATURE]: signature },
    body,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  h = await startHarness();
  buildUnitTree(h);
  a = enrollTestAgent(h, 'north', 'host-a');
  b = enrollTestAgent(h, 'north', 'host-b');
  sa = await openSession(client(), a.id, a.privateKey, 1);
});
afterAll(async () => h?.close());

const refused = async (p: Promise<RawResult>, status: number, code: string) => {
  const before = rowCounts(h);
  const r = await p;
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  expect(r.body.code).toBe(code);
  expect(String(r.body.message).length).toBeGreaterThan(10);
  expect(rowCounts(h)).toEqual(before);
};

describe('session opening', () => {
  it('does not consume the agent sequence, and a MAC’d heartbeat is accepted', async () => {
    // Opened with seq 1 in beforeAll; the first report may still use seq 1.
    const ok = await postWithSession(h.collector.url, a.id, sa, 1, heartbeat(1));
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body).toMatchObject({ accepted: true, seq: 1 });
    expect(h.collector.store.agents.get(a.id)).toMatchObject({ lastSeq: 1, state: 'online' });
  });

  it('answers with the collector’s key and a 24 h expiry', async () => {
    const r = await postOpening(b, JSON.stringify({ x25519PublicKey: newX25519KeyPair().publicKeyB64 }));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.x25519PublicKey).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    const left = Date.parse(String(r.body.expiresAt)) - Date.now();
    expect(left).toBeGreaterThan(23 * 3600_000);
    expect(left).toBeLessThanOrEqual(24 * 3600_000);
  });

  it('refuses an X25519 key that is not one with a clear message (400)', async () => {
    const zero = await postOpening(b, JSON.stringify({ x25519PublicKey: Buffer.alloc(32).toString('base64') }));
    expect(zero.status).toBe(400);
    expect(zero.body).toMatchObject({ code: 'bad_x25519_key' });
    expect(String(zero.body.message)).toContain('x25519PublicKey');
    const short = await postOpening(b, JSON.stringify({ x25519PublicKey: 'AAAA' }));
    expect(short.status).toBe(400);
    expect(String(short.body.message)).toContain('x25519PublicKey');
  });

  it('refuses a stale timestamp, a forged signature, an unknown agent and a replayed opening', async () => {
    const body = JSON.stringify({ x25519PublicKey: newX25519KeyPair().publicKeyB64 });
    await refused(postOpening(b, body, { timestamp: Date.now() - 2 * 3600_000 }), 401, 'clock_skew');
    await refused(postOpening(b, body, { key: newKeyPair().privateKey }), 401, 'bad_signature');
    await refused(postOpening({ ...b, id: 'agt_' + 'x'.repeat(20) }, body), 401, 'unknown_agent');
    expect((await postOpening(b, body)).status).toBe(200);
    await refused(postOpening(b, body), 409, 'session_key_reused');
  });
});

describe('session-authenticated reports', () => {
  it('a wrong MAC is refused and stores nothing', () =>
    refused(postWithSession(h.collector.url, a.id, sa, 2, heartbeat(2), { macOverride: Buffer.alloc(32, 7).toString('base64') }), 401, 'bad_signature'));

  it('a MAC over a different body, or not 32 bytes, is refused', async () => {
    const path = `/api/v1/agents/${a.id}/reports`;
    const timestamp = Date.now();
    const overOther = sessionMac(sa.key, requestSigningText({ method: 'POST', path, agentId: a.id, seq: 2, timestamp, bodySha256: '0'.repeat(64) }));
    await refused(postWithSession(h.collector.url, a.id, sa, 2, heartbeat(2), { timestamp, macOverride: overOther }), 401, 'bad_signature');
    await refused(postWithSession(h.collector.url, a.id, sa, 2, heartbeat(2), { macOverride: overOther.slice(0, 40) }), 401, 'bad_signature');
    expect((await postWithSession(h.collector.url, a.id, sa, 2, heartbeat(2))).status).toBe(200);
  });

  it('another agent cannot use the session', () => refused(postWithSession(h.collector.url, b.id, sa, 5, heartbeat(5)), 401, 'session_agent_mismatch'));

  it('an unknown session is refused with unknown_session', () =>
    refused(postWithSession(h.collector.url, a.id, sa, 5, heartbeat(5), { sessionIdOverride: 'A'.repeat(22) }), 401, 'unknown_session'));

  it('a replayed sequence under a session is still 409', () => refused(postWithSession(h.collector.url, a.id, sa, 2, JSON.stringify({ kind: 'heartbeat', seq: 2, postureHash: 'f'.repeat(64) })), 409, 'replayed_sequence'));

  it('an old timestamp under a session is refused', () => refused(postWithSession(h.collector.url, a.id, sa, 5, heartbeat(5), { timestamp: Date.now() - 2 * 3600_000 }), 401, 'clock_skew'));

  it('Ed25519 signing per request still works beside sessions', async () => {
    const last = h.collector.store.agents.get(a.id)!.lastSeq;
    const r = await postSigned(h.collector.url, a.id, a.privateKey, last + 1, heartbeat(last + 1));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  });

  it('a MAC’d posture is hashed like a signed one (the next heartbeat with its hash needs no posture)', async () => {
    const seq = h.collector.store.agents.get(a.id)!.lastSeq + 1;
    const m = machineProfile('sessions', 1);
    const posture = buildPosture(m.profile, m.state, a.id, seq, Date.now(), Rng.from('sessions', 1));
    const hash = postureHash(posture);
    const p = await postWithSession(h.collector.url, a.id, sa, seq, JSON.stringify({ kind: 'posture', seq, postureHash: hash, posture }));
    expect(p.status, JSON.stringify(p.body)).toBe(200);
    expect(h.collector.store.agents.get(a.id)!.postureHash).toBe(hash);
    const hb = await postWithSession(h.collector.url, a.id, sa, seq + 1, heartbeat(seq + 1, hash));
    expect(hb.body).toMatchObject({ accepted: true, needPosture: false });
  });

  it('an expired session is refused with unknown_session', async () => {
    const real = h.collector.service.sessions;
    let now = Date.now();
    h.collector.service.sessions = new AgentSessions({ lifetimeMs: 60_000 }, () => now);
    try {
      const s = await openSession(client(), b.id, b.privateKey, 1);
      const seq = h.collector.store.agents.get(b.id)!.lastSeq + 1;
      expect((await postWithSession(h.collector.url, b.id, s, seq, heartbeat(seq))).status).toBe(200);
      now += 60_001;
      await refused(postWithSession(h.collector.url, b.id, s, seq + 1, heartbeat(seq + 1)), 401, 'unknown_session');
    } finally {
      h.collector.service.sessions = real;
    }
  });

  it('a retired agent’s session is refused, and it cannot open another', async () => {
    const c = enrollTestAgent(h, 'north', 'host-c');
    const s = await openSession(client(), c.id, c.privateKey, 1);
    expect((await postWithSession(h.collector.url, c.id, s, 1, heartbeat(1))).status).toBe(200);
    const staff = await addUser(h, 'staff-sessions', 'it_staff', ['north']);
    const res = await retireThroughApi(h.collector.url, staff.token, c.id, 'disk replaced');
    expect(res.status).toBe(200);
    await refused(postWithSession(h.collector.url, c.id, s, 2, heartbeat(2)), 401, 'unknown_session');
    const again = await openSession(client(), c.id, c.privateKey, 2).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(CollectorError);
    expect(again).toMatchObject({ status: 403, code: 'agent_retired' });
  });
});

describe('sessionMacMatches (the collector’s check of a session MAC)', () => {
  const key = Buffer.alloc(32, 3);
  const text = requestSigningText({ method: 'POST', path: '/api/v1/agents/agt_x/reports', agentId: 'agt_x', seq: 7, timestamp: 1, bodySha256: 'a'.repeat(64) });
  const mac = sessionMac(key, text);

  it('accepts the MAC of the text under the key, and nothing else', () => {
    expect(sessionMacMatches(key, text, mac)).toBe(true);
    expect(sessionMacMatches(Buffer.alloc(32, 4), text, mac)).toBe(false);
    expect(sessionMacMatches(key, text.replace('seq', 'SEQ').replace('\n7\n', '\n8\n'), mac)).toBe(false);
  });

  it('refuses a value that is not 32 bytes, even when it starts with the right MAC', () => {
    const raw = Buffer.from(mac, 'base64');
    expect(sessionMacMatches(key, text, Buffer.concat([raw, Buffer.from([0])]).toString('base64'))).toBe(false);
    expect(sessionMacMatches(key, text, Buffer.concat([raw, Buffer.alloc(300)]).toString('base64'))).toBe(false);
    expect(sessionMacMatches(key, text, raw.subarray(0, 31).toString('base64'))).toBe(false);
    expect(sessionMacMatches(key, text, '')).toBe(false);
    // The decode buffer is reused: a refused value leaves nothing behind for the next check.
    expect(sessionMacMatches(key, text, mac)).toBe(true);
  });
});
