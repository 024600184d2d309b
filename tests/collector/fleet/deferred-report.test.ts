// Report bodies of DEFERRED_REPORT_BYTES and more skip fastify's JSON parser and are read on the signature
// worker (fleet/report-text.ts). Over real HTTP: what is stored, what is answered and what is refused must be
// what the event loop's own parsing gave, for both ways an agent authenticates.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSession, type AgentSession } from '../../../agent/transport/client.js';
import { DEFERRED_REPORT_BYTES, deferredPosture, readReportTextHere } from '../../../collector/fleet/report-text.js';
import { ingestReport } from '../../../collector/fleet/ingest.js';
import { postureHash, type Posture } from '../../../protocol/index.js';
import { buildPosture, evolve, machineProfile, malwareEvent } from '../../../scripts/simulate/profile.js';
import { Rng } from '../../../scripts/simulate/rng.js';
import { postSigned, type RawResult } from '../../helpers/signed-requests.js';
import { postWithSession } from '../../helpers/session-requests.js';
import { enrollTestAgent, rowCounts, startHarness, type Harness, type TestAgent } from '../../security/harness.js';

let h: Harness;
let a: TestAgent;
let b: TestAgent;
let sb: AgentSession;
const m = machineProfile('deferred-report', 3);
const rng = Rng.from('deferred-report', 3);
const NOW = Date.now();

beforeAll(async () => {
  h = await startHarness();
  a = enrollTestAgent(h, 'default', 'host-a');
  b = enrollTestAgent(h, 'default', 'host-b');
  sb = await openSession({ serverUrl: h.collector.url }, b.id, b.privateKey, 1);
});
afterAll(async () => h?.close());

const postureBody = (agentId: string, seq: number, posture: Posture, claimed = postureHash(posture)) => {
  const body = JSON.stringify({ kind: 'posture', seq, postureHash: claimed, posture });
  expect(Buffer.byteLength(body)).toBeGreaterThanOrEqual(DEFERRED_REPORT_BYTES);
  return body;
};
const stored = (agentId: string) =>
  h.collector.store.db.prepare('SELECT a.posture_hash AS hash, a.last_seq AS seq, p.posture_json AS json FROM agents a LEFT JOIN agent_postures p ON p.agent_id = a.id WHERE a.id = ?').get(agentId) as {
    hash: string | null;
    seq: number;
    json: string | null;
  };

async function refusedUnchanged(p: Promise<RawResult>, status: number, code: string, message?: string) {
  const before = rowCounts(h);
  const r = await p;
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  expect(r.body.code).toBe(code);
  if (message) expect(r.body.message).toBe(message);
  expect(rowCounts(h)).toEqual(before);
}

describe('large report bodies, read on the worker', () => {
  it('a posture is stored and evaluated when new or changed, and only touched when unchanged (Ed25519 and session MAC)', async () => {
    const first = buildPosture(m.profile, m.state, a.id, 1, NOW, rng);
    const r1 = await postSigned(h.collector.url, a.id, a.privateKey, 1, postureBody(a.id, 1, first));
    expect(r1.status, JSON.stringify(r1.body)).toBe(200);
    expect(stored(a.id)).toMatchObject({ hash: postureHash(first), seq: 1 });
    expect(JSON.parse(stored(a.id).json!)).toEqual(first);
    const findings = (h.collector.store.db.prepare('SELECT COUNT(*) AS n FROM findings WHERE agent_id = ?').get(a.id) as { n: number }).n;
    expect(findings).toBeGreaterThan(0);

    // Unchanged: acknowledged, the sequence moves, nothing else is rewritten.
    const r2 = await postSigned(h.collector.url, a.id, a.privateKey, 2, postureBody(a.id, 2, first));
    expect(r2.status).toBe(200);
    expect(stored(a.id)).toMatchObject({ hash: postureHash(first), seq: 2 });

    // Changed: the whole posture is parsed where it is stored.
    evolve(m.profile, m.state, rng, 1, NOW);
    const changed = buildPosture(m.profile, m.state, a.id, 3, NOW + 60_000, rng);
    expect(postureHash(changed)).not.toBe(postureHash(first));
    const r3 = await postSigned(h.collector.url, a.id, a.privateKey, 3, postureBody(a.id, 3, changed));
    expect(r3.status).toBe(200);
    expect(stored(a.id)).toMatchObject({ hash: postureHash(changed), seq: 3 });
    expect(JSON.parse(stored(a.id).json!)).toEqual(changed);

    // The same through a session MAC.
    const pb = buildPosture(m.profile, m.state, b.id, 2, NOW, rng);
    expect((await postWithSession(h.collector.url, b.id, sb, 2, postureBody(b.id, 2, pb))).status).toBe(200);
    expect((await postWithSession(h.collector.url, b.id, sb, 3, postureBody(b.id, 3, pb))).status).toBe(200);
    expect(stored(b.id)).toMatchObject({ hash: postureHash(pb), seq: 3 });
    expect(JSON.parse(stored(b.id).json!)).toEqual(pb);
  });

  it('refuses as fastify would, before the signature is looked at, and stores nothing', async () => {
    const p = buildPosture(m.profile, m.state, a.id, 9, NOW, rng);
    const noHost = structuredClone(p) as unknown as Record<string, unknown>;
    delete noHost.host;
    const invalid = JSON.stringify({ kind: 'posture', seq: 4, postureHash: 'a'.repeat(64), posture: noHost });
    const forged = { signatureOverride: Buffer.alloc(64, 1).toString('base64') };
    await refusedUnchanged(postSigned(h.collector.url, a.id, a.privateKey, 4, invalid, forged), 400, 'invalid_report', "body/posture must have required property 'host'");
    const malformed = postureBody(a.id, 4, p).slice(0, -1);
    await refusedUnchanged(postSigned(h.collector.url, a.id, a.privateKey, 4, malformed, forged), 400, 'malformed_json');
    const poisoned = JSON.stringify({ kind: 'posture', seq: 4, postureHash: postureHash(p), posture: p }).replace('{"kind"', '{"__proto__":{"admin":true},"kind"');
    await refusedUnchanged(postSigned(h.collector.url, a.id, a.privateKey, 4, poisoned), 400, 'malformed_json');
    // A well-formed body with a forged signature: the signature check still runs after the read.
    await refusedUnchanged(postSigned(h.collector.url, a.id, a.privateKey, 4, postureBody(a.id, 4, p), forged), 401, 'bad_signature');
    // Checks that need the agent: a claimed hash that is not the content's, another agent's posture.
    await refusedUnchanged(postSigned(h.collector.url, a.id, a.privateKey, 4, postureBody(a.id, 4, p, 'b'.repeat(64))), 400, 'posture_hash_mismatch');
    const others = buildPosture(m.profile, m.state, b.id, 4, NOW, rng);
    await refusedUnchanged(postSigned(h.collector.url, a.id, a.privateKey, 4, postureBody(a.id, 4, others)), 400, 'agent_mismatch');
    // None of them used the sequence.
    expect((await postSigned(h.collector.url, a.id, a.privateKey, 4, postureBody(a.id, 4, p))).status).toBe(200);
    expect(stored(a.id)).toMatchObject({ hash: postureHash(p), seq: 4 });
  });

  it('a large report of another kind is parsed on the event loop and stored', async () => {
    const events = Array.from({ length: 12 }, (_, i) => malwareEvent(m.profile, i, NOW, rng));
    const body = JSON.stringify({ kind: 'events', seq: 5, events });
    expect(Buffer.byteLength(body)).toBeGreaterThanOrEqual(DEFERRED_REPORT_BYTES);
    const r = await postSigned(h.collector.url, a.id, a.privateKey, 5, body);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const n = (h.collector.store.db.prepare('SELECT COUNT(*) AS n FROM agent_events WHERE agent_id = ?').get(a.id) as { n: number }).n;
    expect(n).toBe(12);
  });

  it('a posture claiming the stored hash is not hashed again; one whose stored hash moved before its commit is', () => {
    evolve(m.profile, m.state, rng, 1, NOW);
    const p = buildPosture(m.profile, m.state, a.id, 20, NOW, rng);
    evolve(m.profile, m.state, rng, 1, NOW);
    const other = buildPosture(m.profile, m.state, a.id, 21, NOW + 1, rng);
    expect(postureHash(other)).not.toBe(postureHash(p));
    const text = (claimed: string, posture: Posture) => JSON.stringify({ kind: 'posture', seq: 20, postureHash: claimed, posture });
    // Hash only: the claim equals the stored hash, so the content is neither hashed nor compared.
    expect(readReportTextHere(text(postureHash(p), other), postureHash(p))).toEqual({ kind: 'posture', seq: 20, postureHash: postureHash(p), postureAgentId: a.id });
    // Any other claim is checked against the content's hash.
    expect(readReportTextHere(text(postureHash(p), p), 'f'.repeat(64))).toMatchObject({ computedHash: postureHash(p) });
    expect(readReportTextHere(text(postureHash(p), other), 'f'.repeat(64))).toMatchObject({ computedHash: postureHash(other) });

    // The stored hash moved between the read and the commit: ingest hashes the content before storing it.
    const store = h.collector.store;
    const agent = store.agents.get(a.id)!;
    const seq = agent.lastSeq + 1;
    const taken = (claimed: string, posture: Posture) =>
      deferredPosture({ kind: 'posture', seq, postureHash: claimed, postureAgentId: a.id }, Buffer.from(JSON.stringify({ kind: 'posture', seq, postureHash: claimed, posture })));
    const ingest = (claimed: string, posture: Posture) =>
      store.transaction(() =>
        ingestReport(store, { agent: store.agents.get(a.id)!, seq, clockSkewMs: 0, bodySha256: 'x', postureHash: claimed }, taken(claimed, posture), h.collector.service.agentSettings),
      );
    expect(agent.postureHash).not.toBe(postureHash(p));
    expect(() => ingest(postureHash(p), other)).toThrow(/does not match the posture content/);
    expect(stored(a.id)).toMatchObject({ hash: agent.postureHash, seq: agent.lastSeq });
    ingest(postureHash(other), other);
    expect(stored(a.id)).toMatchObject({ hash: postureHash(other), seq });
    expect(JSON.parse(stored(a.id).json!)).toEqual(other);
  });
});
