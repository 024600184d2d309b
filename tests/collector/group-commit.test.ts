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
import { requestSigningMessage, sha256Hex, type Report } from '../../protocol/index.js';
import { enrollDirect } from '../helpers/enroll.js';

let c: RunningCollector;
const agents: { id: string; key: KeyObject }[] = [];

function signed(a: { id: string; key: KeyObject }, seq: number, report: Report, key = a.key) {
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
    },
    report,
  };
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
});
