// Group commit: reports arriving together share one SQLite commit, but each is accepted or refused on its own
// and nothing refused is stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { loadConfig } from '../../collector/config/load.js';
import { createLogger, startCollector, type RunningCollector } from '../../collector/server.js';
import { DomainError } from '../../collector/fleet/errors.js';
import { newKeyPair, signWith } from '../../agent/transport/identity.js';
import {
  HEADER_SESSION,
  deriveSessionKey,
  newX25519KeyPair,
  postureHash,
  requestSigningMessage,
  requestSigningText,
  sessionMac,
  sha256Hex,
  type Report,
} from '../../protocol/index.js';
import { openAgentSession } from '../../collector/fleet/sessions.js';
import type { SignedRequest } from '../../collector/fleet/request-auth.js';
import { buildPosture, machineProfile } from '../../scripts/simulate/profile.js';
import { Rng } from '../../scripts/simulate/rng.js';
import { enrollDirect } from '../helpers/enroll.js';
import { waitFor } from '../helpers/cli.js';

let c: RunningCollector;
const agents: { id: string; key: KeyObject }[] = [];

function signed(a: { id: string; key: KeyObject }, seq: number, report: Report, key = a.key) {
  const isPosture = report.kind === 'posture';
  const body = JSON.stringify(report);
  const path = `/api/v1/agents/${a.id}/reports`;
  const timestamp = Date.now();
  const signature = signWith(key, requestSigningMessage({ method: 'POST', path, agentId: a.id, seq, timestamp, bodySha256: sha256Hex(body) }));
  return {
    signed: {
      agentIdInPath: a.id,
      method: 'POST',
      path,
      headers: { 'x-soclite-agent': a.id, 'x-soclite-seq': String(seq), 'x-soclite-timestamp': String(timestamp), 'x-soclite-signature': signature },
      rawBody: Buffer.from(body),
      isPosture,
    },
    report,
  };
}

/** Ingests through the service and notes each report's label in `order` when its acknowledgement comes. */
function ingestNoting(order: string[]) {
  return (label: string, x: { signed: SignedRequest; report: Report }) =>
    c.service.ingestQueued(x.signed, x.report, Date.now()).then((o) => {
      order.push(label);
      return o;
    });
}

/** A simulated machine's posture for this agent (the n-th profile of the seed), and its hash. */
function simulatedPosture(agentId: string, n: number) {
  const m = machineProfile('group-commit', n);
  const posture = buildPosture(m.profile, m.state, agentId, 1, Date.now(), Rng.from('group-commit', n));
  return { posture, hash: postureHash(posture) };
}

/**
 * Runs the reports `send` starts while every read of an agent's stored posture hash fails as a locked database
 * does; each report's outcome: 'accepted' or the refusal's message.
 */
async function whilePostureHashReadsFail(send: () => Promise<unknown>[]): Promise<string[]> {
  const agentsRepo = c.store.agents;
  const real = agentsRepo.postureHashOf.bind(agentsRepo);
  agentsRepo.postureHashOf = () => {
    throw Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
  };
  try {
    const results = await Promise.allSettled(send());
    return results.map((r) => (r.status === 'rejected' ? (r.reason as Error).message : 'accepted'));
  } finally {
    agentsRepo.postureHashOf = real;
  }
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'soclite-group-'));
  c = await startCollector(loadConfig({ dataDir: join(dir, 'data'), port: 0 }, {}), createLogger('silent'));
  for (let i = 0; i < 3; i++) {
    const a = enrollDirect(c, `h${i}`);
    agents.push({ id: a.id, key: a.privateKey });
  }
});

afterAll(async () => {
  await c?.close();
});

describe('group commit of agent reports', () => {
  it('settles each report of one burst on its own: good ones stored, bad ones refused and not stored', async () => {
    const [a, b, d] = agents as [(typeof agents)[0], (typeof agents)[0], (typeof agents)[0]];
    const hb = (seq: number): Report => ({ kind: 'heartbeat', seq, postureHash: null });
    const burst = [
      signed(a, 1, hb(1)),
      signed(b, 1, hb(1), newKeyPair().privateKey), // forged
      signed(a, 2, hb(2)),
      signed(a, 2, hb(2)), // same sequence again inside the same burst: a replay
      signed(d, 1, { kind: 'goodbye', seq: 1, reason: 'shutdown' }),
      signed(b, 1, hb(2)), // body seq differs from the signed header seq
    ];
    const results = await Promise.allSettled(burst.map((x) => c.service.ingestQueued(x.signed, x.report, Date.now())));
    const codes = results.map((r) => (r.status === 'fulfilled' ? 'ok' : r.reason instanceof DomainError ? r.reason.code : String(r.reason)));
    expect(codes).toEqual(['ok', 'bad_signature', 'ok', 'already_accepted', 'ok', 'seq_mismatch']);
    expect(c.store.agents.get(a.id)!.lastSeq).toBe(2);
    expect(c.store.agents.get(b.id)!.lastSeq).toBe(0);
    expect(c.store.agents.get(d.id)!.state).toBe('stopped');
  });

  // A changed posture costs milliseconds (policy evaluation, findings, alerts): it must not hold a burst of
  // cheap reports behind it, yet one agent's reports must still commit in the order sent.
  it('acknowledges cheap reports before a changed posture sent ahead of them, keeping each agent in order', async () => {
    const e = enrollDirect(c, 'slow-lane-a');
    const f = enrollDirect(c, 'slow-lane-b');
    const a = { id: e.id, key: e.privateKey };
    const b = { id: f.id, key: f.privateKey };
    const { posture, hash } = simulatedPosture(a.id, 1);
    const order: string[] = [];
    const send = ingestNoting(order);
    const results = await Promise.all([
      send('a posture', signed(a, 1, { kind: 'posture', seq: 1, postureHash: hash, posture })),
      send('a heartbeat', signed(a, 2, { kind: 'heartbeat', seq: 2, postureHash: hash })),
      send('b heartbeat 1', signed(b, 1, { kind: 'heartbeat', seq: 1, postureHash: null })),
      send('b heartbeat 2', signed(b, 2, { kind: 'heartbeat', seq: 2, postureHash: null })),
    ]);
    // b's heartbeats went first; a's heartbeat waited behind a's posture and then saw it stored.
    expect(order).toEqual(['b heartbeat 1', 'b heartbeat 2', 'a posture', 'a heartbeat']);
    expect(results.map((r) => r.ack.accepted)).toEqual([true, true, true, true]);
    expect(results[1]!.ack.needPosture).toBe(false);
    expect(results[2]!.ack.needPosture).toBe(true);
    expect(c.store.agents.get(a.id)).toMatchObject({ lastSeq: 2, postureHash: hash, seqGaps: 0 });

    // The same posture again is unchanged: cheap, acknowledged in order with the rest.
    order.length = 0;
    const again = { ...posture, agent: { ...posture.agent } };
    await Promise.all([
      send('a unchanged posture', signed(a, 3, { kind: 'posture', seq: 3, postureHash: hash, posture: again })),
      send('b heartbeat 3', signed(b, 3, { kind: 'heartbeat', seq: 3, postureHash: null })),
    ]);
    expect(order).toEqual(['a unchanged posture', 'b heartbeat 3']);
    expect(c.store.agents.get(a.id)!.lastSeq).toBe(3);
  });

  // The page warmer reads a changed posture's pages on its own thread first (store/page-warmer.ts): the posture
  // waits for it, cheap reports of other agents do not, and its own agent's later reports stay behind it.
  it("holds a changed posture until its pages are read, without holding other agents' reports; a failed warm-up only delays it", async () => {
    const [e, f] = [enrollDirect(c, 'warm-a'), enrollDirect(c, 'warm-b')];
    const a = { id: e.id, key: e.privateKey };
    const b = { id: f.id, key: f.privateKey };
    const real = c.service.pageWarmer;
    const asked: string[] = [];
    let release!: (ok: boolean) => void;
    c.service.pageWarmer = {
      stopped: false,
      warm: (agentId: string) => {
        asked.push(agentId);
        return new Promise((resolve, reject) => (release = (ok) => (ok ? resolve({} as never) : reject(new Error('disk gone')))));
      },
    } as unknown as typeof real;
    try {
      const order: string[] = [];
      const send = ingestNoting(order);
      const first = simulatedPosture(a.id, 21);
      const postured = send('a posture', signed(a, 1, { kind: 'posture', seq: 1, postureHash: first.hash, posture: first.posture }));
      const heartbeat = send('a heartbeat', signed(a, 2, { kind: 'heartbeat', seq: 2, postureHash: first.hash }));
      await send('b heartbeat', signed(b, 1, { kind: 'heartbeat', seq: 1, postureHash: null }));
      await waitFor('the posture sent to the warmer', () => asked.length === 1);
      for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
      expect(asked).toEqual([a.id]);
      expect(order).toEqual(['b heartbeat']);
      expect(c.store.agents.get(a.id)!.lastSeq).toBe(0);
      release(true);
      await Promise.all([postured, heartbeat]);
      expect(order).toEqual(['b heartbeat', 'a posture', 'a heartbeat']);

      // A warm-up that fails leaves the commit to read its pages itself: the posture is still stored.
      const second = simulatedPosture(a.id, 22);
      const again = send('a second posture', signed(a, 3, { kind: 'posture', seq: 3, postureHash: second.hash, posture: second.posture }));
      await waitFor('the second posture sent to the warmer', () => asked.length === 2);
      release(false);
      expect((await again).ack.accepted).toBe(true);
      expect(c.store.agents.get(a.id)).toMatchObject({ lastSeq: 3, postureHash: second.hash });
    } finally {
      c.service.pageWarmer = real;
    }
  });

  it("commits a report at once even while another agent's report is still being verified on the worker; one agent's reports stay in order", async () => {
    const [e, f] = [enrollDirect(c, 'hol-a'), enrollDirect(c, 'hol-b')];
    // Session MACs, as agents send now: a heartbeat is verified on the event loop, a posture's hash is computed
    // on the worker thread.
    const session = (agentId: string) => {
      const own = newX25519KeyPair();
      const opened = openAgentSession(c.service.sessions, agentId, own.publicKeyB64);
      return { id: opened.sessionId, key: deriveSessionKey(own.privateKey, opened.x25519PublicKey, opened.sessionId, agentId) };
    };
    const [sa, sb] = [session(e.id), session(f.id)];
    const withMac = (agentId: string, s: { id: string; key: Buffer }, seq: number, report: Report) => {
      const body = JSON.stringify(report);
      const path = `/api/v1/agents/${agentId}/reports`;
      const timestamp = Date.now();
      const mac = sessionMac(s.key, requestSigningText({ method: 'POST', path, agentId, seq, timestamp, bodySha256: sha256Hex(body) }));
      return {
        signed: {
          agentIdInPath: agentId,
          method: 'POST',
          path,
          headers: { 'x-soclite-agent': agentId, 'x-soclite-seq': String(seq), 'x-soclite-timestamp': String(timestamp), [HEADER_SESSION]: s.id, 'x-soclite-signature': mac },
          rawBody: Buffer.from(body),
          isPosture: report.kind === 'posture',
          sessions: c.service.sessions,
        },
        report,
      };
    };
    const { posture, hash } = simulatedPosture(e.id, 2);
    const order: string[] = [];
    const send = ingestNoting(order);
    // The posture is stored once first, so the one sent below is unchanged: a cheap report like the heartbeats.
    await send('a first posture', withMac(e.id, sa, 1, { kind: 'posture', seq: 1, postureHash: hash, posture }));
    order.length = 0;
    const results = await Promise.all([
      send('a unchanged posture', withMac(e.id, sa, 2, { kind: 'posture', seq: 2, postureHash: hash, posture })),
      send('a heartbeat', withMac(e.id, sa, 3, { kind: 'heartbeat', seq: 3, postureHash: hash })),
      send('b heartbeat', withMac(f.id, sb, 1, { kind: 'heartbeat', seq: 1, postureHash: null })),
    ]);
    // b's heartbeat did not wait for a's posture hash; a's heartbeat did (same agent, sent after it).
    expect(order).toEqual(['b heartbeat', 'a unchanged posture', 'a heartbeat']);
    expect(results.map((r) => r.ack.accepted)).toEqual([true, true, true]);
    expect(c.store.agents.get(e.id)).toMatchObject({ lastSeq: 3, postureHash: hash, seqGaps: 0 });
    expect(c.store.agents.get(f.id)!.lastSeq).toBe(1);
  });

  // Refusals before a report's first write need no savepoint; a failure after writing (here a commit hook that
  // throws, as a bug or a full disk would) rolls the group back and runs it again with a savepoint per report.
  it('rolls back only the report that failed after writing; its neighbours in the group still commit', async () => {
    const trio = ['rollback-a', 'rollback-b', 'rollback-c'].map((h) => {
      const e = enrollDirect(c, h);
      return { id: e.id, key: e.privateKey };
    }) as [(typeof agents)[0], (typeof agents)[0], (typeof agents)[0]];
    const [a, b, d] = trio;
    let failFor: string | undefined = b.id;
    c.service.addCommitHook((o) => {
      if (o.agent.id === failFor) throw new Error('hook failed after the report was written');
    });
    const hb = (seq: number): Report => ({ kind: 'heartbeat', seq, postureHash: null });
    const burst = [signed(a, 1, hb(1)), signed(b, 1, hb(1)), signed(d, 1, hb(1)), signed(a, 2, hb(2))];
    const results = await Promise.allSettled(burst.map((x) => c.service.ingestQueued(x.signed, x.report, Date.now())));
    expect(results.map((r) => (r.status === 'fulfilled' ? 'ok' : (r.reason as Error).message))).toEqual(['ok', 'hook failed after the report was written', 'ok', 'ok']);
    expect(c.store.agents.get(a.id)!.lastSeq).toBe(2);
    expect(c.store.agents.get(b.id)!.lastSeq).toBe(0); // its accepted sequence was rolled back with it
    expect(c.store.agents.get(d.id)!.lastSeq).toBe(1);

    // Alone in its group, and once the fault is gone the same report is accepted: nothing of it was kept.
    const lone = await Promise.allSettled([c.service.ingestQueued(signed(b, 1, hb(1)).signed, hb(1), Date.now())]);
    expect(lone[0]!.status).toBe('rejected');
    expect(c.store.agents.get(b.id)!.lastSeq).toBe(0);
    failFor = undefined;
    const ok = await c.service.ingestQueued(signed(b, 1, hb(1)).signed, hb(1), Date.now());
    expect(ok.ack.accepted).toBe(true);
    expect(c.store.agents.get(b.id)!.lastSeq).toBe(1);
  });

  // The reads that sort a group into the cheap and slow lanes can fail too (SQLITE_BUSY after the busy timeout
  // was seen in a profiled 100,000-agent run): the group is refused, nothing of it stored, and the collector
  // goes on. The failure used to escape the event loop's callback and stop the collector.
  it('refuses a group whose sorting reads fail, stores nothing of it, and goes on', async () => {
    const e = enrollDirect(c, 'sort-fails');
    const a = { id: e.id, key: e.privateKey };
    const { posture, hash } = simulatedPosture(a.id, 2);
    const burst = [signed(a, 1, { kind: 'posture', seq: 1, postureHash: hash, posture }), signed(a, 2, { kind: 'heartbeat', seq: 2, postureHash: hash })];
    const results = await whilePostureHashReadsFail(() => burst.map((x) => c.service.ingestQueued(x.signed, x.report, Date.now())));
    expect(results).toEqual(['database is locked', 'database is locked']);
    expect(c.store.agents.get(a.id)).toMatchObject({ lastSeq: 0, postureHash: null });

    // The collector still takes reports, the same ones sent again among them.
    const again = await Promise.all(
      [signed(a, 1, { kind: 'posture', seq: 1, postureHash: hash, posture }), signed(a, 2, { kind: 'heartbeat', seq: 2, postureHash: hash })].map((x) =>
        c.service.ingestQueued(x.signed, x.report, Date.now()),
      ),
    );
    expect(again.map((o) => o.ack.accepted)).toEqual([true, true]);
    expect(c.store.agents.get(a.id)).toMatchObject({ lastSeq: 2, postureHash: hash });
  });

  // A large body is read on the worker with the agent's stored hash, read first on the event loop
  // (service.ts readThenVerify). When that read fails the report is refused, and its agent's next report is
  // not held behind it (it waited for a verdict that never came, before the guard).
  it('refuses a large report whose stored-hash read fails, without holding back its agent', async () => {
    const e = enrollDirect(c, 'stored-hash-fails');
    const a = { id: e.id, key: e.privateKey };
    const { posture, hash } = simulatedPosture(a.id, 3);
    const large = signed(a, 1, { kind: 'posture', seq: 1, postureHash: hash, posture });
    const next = signed(a, 2, { kind: 'heartbeat', seq: 2, postureHash: null });
    // undefined: the body left unparsed, as the report route does for a large one.
    const results = await whilePostureHashReadsFail(() => [
      c.service.ingestQueued(large.signed, undefined, Date.now()),
      c.service.ingestQueued(next.signed, next.report, Date.now()),
    ]);
    expect(results).toEqual(['database is locked', 'accepted']);
    expect(c.store.agents.get(a.id)).toMatchObject({ lastSeq: 2, postureHash: null });
  });

  // Each read outside a transaction takes and releases a WAL read lock of its own, with its system calls: the
  // stored hashes of the large bodies that arrived together are read in one transaction (readStoredHashes).
  it('reads the stored hashes of large reports that arrived together in one read transaction', async () => {
    const burst = [0, 1, 2].map((i) => {
      const e = enrollDirect(c, `stored-hash-together-${i}`);
      const a = { id: e.id, key: e.privateKey };
      const { posture, hash } = simulatedPosture(a.id, 10 + i);
      return { a, hash, req: signed(a, 1, { kind: 'posture', seq: 1, postureHash: hash, posture }) };
    });
    const store = c.store;
    const realSnapshot = store.snapshot;
    const realRead = store.agents.postureHashOf.bind(store.agents);
    let snapshots = 0;
    let current = 0;
    const readIn: { agentId: string; snapshot: number; inTransaction: boolean }[] = [];
    store.snapshot = <T>(fn: () => T): T => {
      current = ++snapshots;
      try {
        return realSnapshot(fn);
      } finally {
        current = 0;
      }
    };
    store.agents.postureHashOf = (id: string) => {
      readIn.push({ agentId: id, snapshot: current, inTransaction: store.db.inTransaction });
      return realRead(id);
    };
    try {
      const outcomes = await Promise.all(burst.map((b) => c.service.ingestQueued(b.req.signed, undefined, Date.now())));
      expect(outcomes.map((o) => o.ack.accepted)).toEqual([true, true, true]);
    } finally {
      store.snapshot = realSnapshot;
      store.agents.postureHashOf = realRead;
    }
    // The first three reads are the ones before the worker reads the bodies, all in the same transaction.
    const first = readIn.slice(0, 3);
    expect(first.map((r) => r.agentId)).toEqual(burst.map((b) => b.a.id));
    expect(first.every((r) => r.inTransaction && r.snapshot === first[0]!.snapshot && r.snapshot > 0)).toBe(true);
    for (const b of burst) expect(c.store.agents.get(b.a.id)).toMatchObject({ lastSeq: 1, postureHash: b.hash });
  });
});
