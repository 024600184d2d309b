// The periodic re-evaluation: a machine whose posture never changes sends only heartbeats, yet its
// time-dependent findings (days since the last patch, signature age from the update time) must expire when
// their limit goes by. A real collector, real SQLite, postures over signed HTTP; the clock of the
// re-evaluation is moved forward instead of waiting days.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../collector/config/load.js';
import { createLogger, startCollector, type RunningCollector } from '../../../collector/server.js';
import { ReevaluationPass, type ReevaluationPassOptions, type SweepProgress } from '../../../collector/compliance/reevaluation-pass.js';
import { postureHash, type Posture } from '../../../protocol/index.js';
import { REPO_ROOT } from '../../helpers/cli.js';
import { enrollDirect, type EnrolledTestAgent } from '../../helpers/enroll.js';
import { postSigned } from '../../helpers/signed-requests.js';

const DAY = 86_400_000;
let c: RunningCollector;
let agents: EnrolledTestAgent[];
const t0 = Date.now();

function posture(agentId: string): Posture {
  const p = JSON.parse(readFileSync(join(REPO_ROOT, 'tests/fixtures/postures/linux-server-compliant.json'), 'utf8')) as Posture;
  p.agent = { ...p.agent, id: agentId, seq: 1, collectedAt: new Date(t0).toISOString() };
  p.patches = { ...p.patches!, lastInstallAt: new Date(t0 - 10 * DAY).toISOString() };
  // No verdict of its own: the signature age decides (vn.malware.signatures), taken from the update time.
  const { upToDate: _u, ...clam } = p.av!.products[0]!;
  // ClamAV alone: the EDR beside it has no signatures, which would make the signature check unknown, not fail.
  p.av = { ...p.av!, products: [{ ...clam, signatureAgeHours: 10, signaturesUpdatedAt: new Date(t0 - 10 * 3_600_000).toISOString() }] };
  return p;
}

const status = (agentId: string, controlId: string) => c.store.compliance.findingsOfAgent(agentId).find((f) => f.controlId === controlId);
const ledger = (agentId: string, controlId: string) =>
  c.store.db.prepare('SELECT status, previous_status AS previousStatus FROM findings_ledger WHERE agent_id = ? AND control_id = ? ORDER BY id').all(agentId, controlId);

/** A pass over this collector, hourly, evaluating as of now unless told otherwise. */
function passOf(o: Partial<ReevaluationPassOptions> = {}): ReevaluationPass {
  return new ReevaluationPass({
    everyMs: 3_600_000,
    agentsAfter: (rowid, limit) => c.store.compliance.activeAgentsAfter(rowid, limit),
    maxRowid: () => c.store.agents.maxRowid(),
    countActive: () => c.store.compliance.agentsWithFindings(),
    reevaluate: (id) => c.service.compliance.reevaluate(id),
    log: createLogger('silent'),
    ...o,
  });
}

/** A pass whose evaluations run as of `clock()`. */
const passAt = (clock: () => number) => passOf({ reevaluate: (id) => c.service.compliance.reevaluate(id, new Date(clock())) });

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'soclite-reevaluation-'));
  c = await startCollector(loadConfig({ dataDir: join(dir, 'data'), port: 0 }, {}), createLogger('silent'));
  agents = ['r0', 'r1', 'r2'].map((h) => enrollDirect(c, h));
  for (const a of agents) {
    const p = posture(a.id);
    const res = await postSigned(c.url, a.id, a.privateKey, 1, JSON.stringify({ kind: 'posture', seq: 1, postureHash: postureHash(p), posture: p }));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }
});

afterAll(async () => {
  await c?.close();
});

describe('periodic re-evaluation', () => {
  it('expires a passing time-dependent finding of an unchanged posture once its limit goes by', async () => {
    const [a] = agents;
    expect(status(a!.id, 'vn.patch.recent-install')?.status).toBe('pass');
    expect(status(a!.id, 'vn.malware.signatures')?.status).toBe('pass');
    // 30 days on: 40 days since the last patch (limit 35), signatures 730 h old (limit 72). No new posture.
    const later = t0 + 30 * DAY;
    expect(await passAt(() => later).tick(3)).toBe(3);
    expect(status(a!.id, 'vn.patch.recent-install')).toMatchObject({ status: 'fail', evaluatedAt: new Date(later).toISOString() });
    // Failing, so the age was computed from the update time at evaluation (730 h): the 30-day-old document
    // says 10 h, which passes.
    expect(status(a!.id, 'vn.malware.signatures')?.status).toBe('fail');
    expect(ledger(a!.id, 'vn.patch.recent-install')).toEqual([
      { status: 'pass', previousStatus: null },
      { status: 'fail', previousStatus: 'pass' },
    ]);
    // The stored posture is still the one the agent sent.
    expect(c.store.agents.getWithPosture(a!.id)!.posture!.av!.products[0]!.signatureAgeHours).toBe(10);
  });

  it('goes through the fleet a slice at a time, from where the last slice ended, and starts over after the last agent', async () => {
    const seen: string[] = [];
    const pass = passOf({ reevaluate: (id) => (seen.push(id), c.service.compliance.reevaluate(id)) });
    expect(await pass.tick(2)).toBe(2);
    expect(await pass.tick(2)).toBe(1);
    expect(await pass.tick(2)).toBe(2);
    const ids = agents.map((a) => a.id);
    expect(seen).toEqual([ids[0], ids[1], ids[2], ids[0], ids[1]]);
  });

  it('has each agent’s pages read before evaluating it, one agent at a time, and evaluates it even when the read fails', async () => {
    const order: string[] = [];
    let inWarmer = 0;
    let mostInWarmer = 0;
    const pass = passOf({
      reevaluate: (id) => (order.push(`evaluate ${id}`), c.service.compliance.reevaluate(id)),
      warm: async (id) => {
        order.push(`warm ${id}`);
        mostInWarmer = Math.max(mostInWarmer, ++inWarmer);
        await new Promise((r) => setTimeout(r, 5));
        inWarmer--;
        if (id === agents[1]!.id) throw new Error('warmer stopped');
      },
    });
    expect(await pass.tick(3)).toBe(3);
    expect(order).toEqual(agents.flatMap((a) => [`warm ${a.id}`, `evaluate ${a.id}`]));
    expect(mostInWarmer).toBe(1);
  });

  it('skips agents that never sent a posture: nothing of theirs can expire, and they get no findings from it', async () => {
    const silent = enrollDirect(c, 'never-reported');
    try {
      const seen: string[] = [];
      const pass = passOf({ reevaluate: (id) => (seen.push(id), c.service.compliance.reevaluate(id)) });
      expect(await pass.tick(10)).toBe(3);
      expect(seen).not.toContain(silent.id);
      expect(c.store.compliance.findingsOfAgent(silent.id)).toEqual([]);
    } finally {
      c.store.db.prepare('UPDATE agents SET retired_at = ? WHERE id = ?').run(new Date().toISOString(), silent.id);
    }
  });

  it('skips retired agents, and one agent’s failure does not stop the others', async () => {
    const retired = agents[1]!.id;
    c.store.db.prepare('UPDATE agents SET retired_at = ? WHERE id = ?').run(new Date().toISOString(), retired);
    try {
      const seen: string[] = [];
      const pass = passOf({
        reevaluate: (id) => {
          seen.push(id);
          if (id === agents[0]!.id) throw new Error('broken posture');
          return c.service.compliance.reevaluate(id);
        },
      });
      expect(await pass.tick(10)).toBe(1);
      expect(seen).toEqual([agents[0]!.id, agents[2]!.id]);
      expect(c.service.compliance.reevaluate(retired)).toBe(false);
    } finally {
      c.store.db.prepare('UPDATE agents SET retired_at = NULL WHERE id = ?').run(retired);
    }
  });

  it('sweeps every agent with a posture on request, between other work, and sweeps again when asked during a sweep', async () => {
    const seen: string[] = [];
    let between = 0;
    const pass = passOf({
      reevaluate: (id) => (seen.push(id), c.service.compliance.reevaluate(id)),
      warm: () => new Promise((r) => setTimeout(() => (between++, r(undefined)), 2)),
    });
    const first = pass.sweepAll('policy_changed');
    // Periodic slices wait while a sweep runs.
    expect(await pass.tick(10)).toBe(0);
    await new Promise((r) => setTimeout(r, 3));
    // Asked again after the sweep had begun: the promise ends only after a sweep begun after this call.
    const second = pass.sweepAll('attestations_changed');
    expect(second).toBe(first);
    expect(await second).toBe(3);
    const ids = agents.map((a) => a.id);
    expect(seen).toEqual([...ids, ...ids]);
    expect(between).toBe(6);
    // Stopped, a sweep says so.
    expect(pass.isStopped).toBe(false);
    await pass.stop();
    expect(pass.isStopped).toBe(true);
    expect(await pass.sweepAll('policy_changed')).toBe(0);
  });

  it('tells how far a sweep has gone, against the agents with findings, and nothing once it ended', async () => {
    const seen: (SweepProgress | null)[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const pass: ReevaluationPass = passOf({
      // What the dashboard would read before each agent is evaluated; the second agent waits to be released.
      warm: async (id) => {
        seen.push(pass.progress);
        if (id === agents[1]!.id) await held;
      },
    });
    expect(pass.progress).toBeNull();
    const before = Date.now();
    const sweep = pass.sweepAll('attestations_changed');
    await new Promise((r) => setTimeout(r, 20));
    const mid = pass.progress!;
    expect(mid).toMatchObject({ reason: 'attestations_changed', done: 1, total: 3 });
    expect(Date.parse(mid.startedAt)).toBeGreaterThanOrEqual(before - 1000);
    // A copy: the caller cannot move the sweep's count.
    mid.done = 99;
    expect(pass.progress!.done).toBe(1);
    // Asked again meanwhile for another reason: the sweep that follows says so, and starts from 0.
    void pass.sweepAll('policy_changed');
    release();
    expect(await sweep).toBe(3);
    expect(seen.map((p) => p && [p.reason, p.done, p.total])).toEqual([
      ['attestations_changed', 0, 3],
      ['attestations_changed', 1, 3],
      ['attestations_changed', 2, 3],
      ['policy_changed', 0, 3],
      ['policy_changed', 1, 3],
      ['policy_changed', 2, 3],
    ]);
    expect(pass.progress).toBeNull();
    await pass.stop();
  });

  it('never counts past the whole: agents visited beyond the first count raise the total with them', async () => {
    const shown: [number, number][] = [];
    const watched: ReevaluationPass = passOf({ countActive: () => 1, warm: async () => void shown.push([watched.progress!.done, watched.progress!.total]) });
    expect(await watched.sweepAll('policy_changed')).toBe(3);
    // 1 counted, 3 visited: "0 of 1", "1 of 1", "2 of 2"; never more done than the total.
    expect(shown).toEqual([[0, 1], [1, 1], [2, 2]]);
    await watched.stop();
  });

  it('paces itself: each tick takes the share of the fleet that one tick of the period owes', async () => {
    const make = (everyMs: number) => passOf({ everyMs });
    // Hourly: a tick a second, a 3600th of the fleet each (3 agents: one per tick, at least one).
    const hourly = make(3_600_000);
    expect(hourly.tickMs).toBe(1_000);
    expect(await hourly.tick()).toBe(1);
    // A period of a second: the whole fleet each tick.
    const everySecond = make(1_000);
    expect(everySecond.tickMs).toBe(1_000);
    expect(await everySecond.tick()).toBe(3);
    // A daily period: a tick every 24 s.
    expect(make(86_400_000).tickMs).toBe(24_000);
  });
});
