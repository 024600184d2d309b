// Whole-table reads on the worker thread's own connection (trend aggregates, /compliance summaries) equal the
// same SQL run in-process, and see what was committed before they were asked.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../../collector/store/index.js';
import { ReadWorker } from '../../../collector/store/read-worker.js';
import { BACKGROUND_NICE } from '../../../collector/worker-priority.js';
import { controlCountsQuery, summaryByLevelQuery } from '../../../collector/store/compliance.js';

const store = openStore(mkdtempSync(join(tmpdir(), 'soclite-trend-')));
const aggregator = new ReadWorker(store.db.name);
afterAll(async () => {
  await aggregator.close();
  store.close();
});

function seed(agents: number, statuses: string[]) {
  const agent = store.db.prepare(
    `INSERT INTO agents (id, unit_id, public_key, hostname, hardware_id, platform, agent_version, enrolled_at, state_since, retired_at)
     VALUES (?, 'default', ?, ?, ?, 'linux', '1', 'x', 'x', ?)`,
  );
  const finding = store.db.prepare(
    `INSERT INTO findings (agent_id, control_id, pack, level, status, severity, reason, observed_json, expected, since, evaluated_at)
     VALUES (?, ?, 'p', ?, ?, 'high', NULL, '{}', '', 'x', 'x')`,
  );
  store.transaction(() => {
    for (let i = 0; i < agents; i++) {
      const id = `agt_${store.db.prepare('SELECT COUNT(*) AS n FROM agents').pluck().get()}`;
      agent.run(id, `k-${id}`, id, `hw-${id}`, i === agents - 1 ? '2026-01-01T00:00:00Z' : null); // the last one retired
      statuses.forEach((s, c) => finding.run(id, `c${c}`, 1 + (i % 3), statuses[(c + i) % statuses.length]));
    }
  });
}

describe('read worker', () => {
  it('computes the same aggregates as the in-process query, retired agents excluded', async () => {
    seed(30, ['pass', 'fail', 'unknown', 'not_applicable', 'pass']);
    const fromWorker = await aggregator.trendDay();
    expect(fromWorker).toEqual(store.trend.computeDay());
    const total = fromWorker.agents.reduce((n, r) => n + r.compliant + r.non_compliant + r.unknown, 0);
    expect(total).toBe(29);
    expect(fromWorker.controls.reduce((n, r) => n + r.pass + r.fail + r.unknown + r.not_applicable, 0)).toBe(29 * 5);
  });

  it('sees rows committed after it started', async () => {
    seed(5, ['fail']);
    const d = await aggregator.trendDay();
    expect(d.agents.reduce((n, r) => n + r.non_compliant, 0)).toBe(store.trend.computeDay().agents.reduce((n, r) => n + r.non_compliant, 0));
    expect(d.agents.reduce((n, r) => n + r.compliant + r.non_compliant + r.unknown, 0)).toBe(33);
  });

  it('answers the /compliance summaries exactly as the in-process queries, per unit scope and level', async () => {
    const [levels, controls, controlsL2] = await aggregator.query([summaryByLevelQuery(['default']), controlCountsQuery(['default']), controlCountsQuery(['default'], 2)]);
    const s1 = summaryByLevelQuery(['default']);
    expect(levels).toEqual(store.db.prepare(s1.sql).all(...s1.params));
    expect(controls).toEqual(store.compliance.controlCounts(['default']));
    expect(controlsL2).toEqual(store.compliance.controlCounts(['default'], 2));
    expect((controls as unknown[]).length).toBeGreaterThan(0);
    const [none] = await aggregator.query([controlCountsQuery(['no-such-unit'])]);
    expect(none).toEqual([]);
  });

  it('reports a bad query as an error and keeps serving', async () => {
    await expect(aggregator.query([{ sql: 'SELECT * FROM no_such_table', params: [] }])).rejects.toThrow(/no such table/);
    expect((await aggregator.query([{ sql: 'SELECT 1 AS one', params: [] }]))[0]).toEqual([{ one: 1 }]);
  });

  // Its aggregates take seconds at fleet scale: they must yield the CPU to the event loop (worker-priority.ts).
  it('runs below the priority of the event loop (Linux: its own thread nice value)', async () => {
    await aggregator.trendDay(); // the worker is up
    const niceOf = (statPath: string) => {
      const stat = readFileSync(statPath, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]); // field 19: nice
    };
    const threads = readdirSync('/proc/self/task').map((tid) => niceOf(`/proc/self/task/${tid}/stat`));
    expect(niceOf('/proc/thread-self/stat')).toBe(0);
    expect(threads).toContain(BACKGROUND_NICE);
  });
});
