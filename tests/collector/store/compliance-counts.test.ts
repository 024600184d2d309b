// The /compliance summaries and the daily trend read counts that SQLite triggers keep beside the findings
// (collector/store/compliance-counts-schema.ts). They must equal, after any sequence of evaluations, unit
// moves, retirements and deletions, what the whole findings table says: the reference queries below are the
// aggregates the collector used to run over every finding.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openStore, type Store } from '../../../collector/store/index.js';
import { retireAgent } from '../../../collector/store/agent-retirement.js';
import { applyMigrations, databasePath } from '../../../collector/store/database.js';
import { migrations } from '../../../collector/store/migrations.js';
import type { Finding, FindingStatus, Severity } from '../../../collector/policy/types.js';

const UNITS = ['u1', 'u2', 'u3'];
const STATUSES: FindingStatus[] = ['pass', 'fail', 'unknown', 'not_applicable'];
const SEVERITIES: Severity[] = ['low', 'medium', 'high'];
const CONTROLS = Array.from({ length: 8 }, (_, i) => `ctl.${i}`);
const AT = '2026-12-07T00:00:00.000Z';

const stores: Store[] = [];
afterAll(() => stores.forEach((s) => s.close()));

/** Small deterministic PRNG (mulberry32), so a failure replays. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const inList = (ids: string[]) => ids.map(() => '?').join(', ');

/** What the whole findings table says: machines per level in a unit scope. */
function referenceLevels(db: Store['db'], unitIds: string[]) {
  return db
    .prepare(
      `SELECT level, SUM(fails = 0 AND unknowns = 0) AS compliant, SUM(fails > 0) AS nonCompliant, SUM(fails = 0 AND unknowns > 0) AS unknown, COUNT(*) AS agents
       FROM (SELECT f.agent_id, MAX(f.level) AS level, SUM(f.status = 'fail') AS fails, SUM(f.status = 'unknown') AS unknowns
             FROM findings f JOIN agents a ON a.id = f.agent_id WHERE a.unit_id IN (${inList(unitIds)}) AND a.retired_at IS NULL GROUP BY f.agent_id)
       GROUP BY level ORDER BY level`,
    )
    .all(...unitIds);
}

/** What the whole findings table says: findings per control and status in a unit scope (and level). */
function referenceControls(db: Store['db'], unitIds: string[], level?: number) {
  return db
    .prepare(
      `SELECT f.control_id AS controlId, f.pack AS pack, MAX(f.severity) AS severity, SUM(f.status = 'pass') AS pass, SUM(f.status = 'fail') AS fail,
         SUM(f.status = 'unknown') AS unknown, SUM(f.status = 'not_applicable') AS notApplicable
       FROM findings f JOIN agents a ON a.id = f.agent_id
       WHERE a.unit_id IN (${inList(unitIds)}) AND a.retired_at IS NULL ${level === undefined ? '' : 'AND f.level = ?'}
       GROUP BY f.control_id, f.pack ORDER BY fail DESC, unknown DESC, f.control_id`,
    )
    .all(...unitIds, ...(level === undefined ? [] : [level]));
}

/** The trend's aggregates from the whole findings table, sorted. */
function referenceTrend(db: Store['db']) {
  const controls = db
    .prepare(
      `SELECT a.unit_id, f.level, f.control_id, SUM(f.status = 'pass') AS pass, SUM(f.status = 'fail') AS fail, SUM(f.status = 'unknown') AS unknown,
         SUM(f.status = 'not_applicable') AS not_applicable
       FROM findings f JOIN agents a ON a.id = f.agent_id WHERE a.retired_at IS NULL GROUP BY a.unit_id, f.level, f.control_id ORDER BY 1, 2, 3`,
    )
    .all();
  const agents = db
    .prepare(
      `SELECT unit_id, level, SUM(fails = 0 AND unknowns = 0) AS compliant, SUM(fails > 0) AS non_compliant, SUM(fails = 0 AND unknowns > 0) AS unknown
       FROM (SELECT a.unit_id, f.agent_id, MAX(f.level) AS level, SUM(f.status = 'fail') AS fails, SUM(f.status = 'unknown') AS unknowns
             FROM findings f JOIN agents a ON a.id = f.agent_id WHERE a.retired_at IS NULL GROUP BY f.agent_id)
       GROUP BY unit_id, level ORDER BY 1, 2`,
    )
    .all();
  return { controls, agents };
}

const byKeys = <T extends Record<string, unknown>>(rows: T[], keys: string[]) =>
  [...rows].sort((x, y) => {
    for (const k of keys) if (x[k] !== y[k]) return String(x[k]) < String(y[k]) ? -1 : 1;
    return 0;
  });

function expectCountsMatch(store: Store) {
  const scopes = [['u1'], ['u1', 'u2'], UNITS, ['no-such-unit']];
  for (const scope of scopes) {
    expect(store.compliance.summaryByLevel(scope)).toEqual(referenceLevels(store.db, scope));
    for (const level of [undefined, 1, 2, 3]) expect(store.compliance.controlCounts(scope, level)).toEqual(referenceControls(store.db, scope, level));
  }
  const day = store.trend.computeDay();
  const ref = referenceTrend(store.db);
  expect(byKeys(day.controls as unknown as Record<string, unknown>[], ['unit_id', 'level', 'control_id'])).toEqual(ref.controls);
  expect(byKeys(day.agents as unknown as Record<string, unknown>[], ['unit_id', 'level'])).toEqual(ref.agents);
}

function addUnits(db: Store['db'] | Database.Database) {
  for (const u of UNITS) db.prepare('INSERT INTO units (id, name, parent_id, default_level, created_at) VALUES (?, ?, NULL, 1, ?)').run(u, u, AT);
}

function addAgent(db: Store['db'] | Database.Database, id: string, unit: string) {
  db.prepare(
    `INSERT INTO agents (id, unit_id, public_key, hostname, hardware_id, platform, agent_version, enrolled_at, state_since)
     VALUES (?, ?, ?, ?, ?, 'linux', '1', ?, ?)`,
  ).run(id, unit, 'key-' + id, id, 'hw-' + id, AT, AT);
}

function randomFindings(r: () => number): Finding[] {
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)]!;
  return CONTROLS.filter(() => r() < 0.7).map((controlId, i) => ({
    controlId,
    pack: i % 2 ? 'vn' : 'cis',
    status: pick(STATUSES),
    severity: pick(SEVERITIES),
    observed: { v: Math.floor(r() * 3) },
    expected: 'x',
    ...(r() < 0.5 ? { reason: 'r' } : {}),
  })) as unknown as Finding[];
}

describe('compliance counts kept by triggers', () => {
  it('equal the whole-table aggregates after random evaluations, moves, retirements and deletions', () => {
    const store = openStore(mkdtempSync(join(tmpdir(), 'soclite-ccounts-')));
    stores.push(store);
    addUnits(store.db);
    const r = rng(85);
    const live: string[] = [];
    let next = 0;
    for (let step = 0; step < 400; step++) {
      const roll = r();
      store.transaction(() => {
        if (roll < 0.15 || live.length === 0) {
          const id = `agt_${next++}`;
          addAgent(store.db, id, UNITS[Math.floor(r() * UNITS.length)]!);
          live.push(id);
        } else if (roll < 0.8) {
          const id = live[Math.floor(r() * live.length)]!;
          store.compliance.applyEvaluation(id, 1 + Math.floor(r() * 3), randomFindings(r), new Date(Date.parse(AT) + step * 1000).toISOString());
        } else if (roll < 0.9) {
          const id = live[Math.floor(r() * live.length)]!;
          store.db.prepare('UPDATE agents SET unit_id = ? WHERE id = ?').run(UNITS[Math.floor(r() * UNITS.length)], id);
        } else if (roll < 0.96) {
          const id = live.splice(Math.floor(r() * live.length), 1)[0]!;
          retireAgent(store.db, id, 'test', AT);
        } else {
          const id = live.splice(Math.floor(r() * live.length), 1)[0]!;
          store.db.prepare('DELETE FROM findings_ledger WHERE agent_id = ?').run(id);
          store.db.prepare('DELETE FROM findings WHERE agent_id = ?').run(id);
          store.db.prepare('DELETE FROM agents WHERE id = ?').run(id);
        }
      });
      if (step % 50 === 49) expectCountsMatch(store);
    }
    expectCountsMatch(store);
    // The sequence exercised what it is meant to: machines of every verdict, several levels, retired agents.
    const levels = store.compliance.summaryByLevel(UNITS);
    expect(levels.length).toBeGreaterThan(1);
    expect(levels.some((l) => l.compliant > 0) && levels.some((l) => l.nonCompliant > 0) && levels.some((l) => l.unknown > 0)).toBe(true);
    expect(store.db.prepare('SELECT COUNT(*) FROM agents WHERE retired_at IS NOT NULL').pluck().get()).toBeGreaterThan(0);
  });

  it('are computed from the findings already there when an existing database is upgraded', () => {
    const dir = mkdtempSync(join(tmpdir(), 'soclite-ccounts-upgrade-'));
    const before = new Database(databasePath(dir));
    applyMigrations(before, migrations);
    addUnits(before);
    const finding = before.prepare(
      `INSERT INTO findings (agent_id, control_id, pack, level, status, severity, reason, observed_json, expected, since, evaluated_at)
       VALUES (?, ?, 'vn', ?, ?, 'high', NULL, '{}', 'x', ?, ?)`,
    );
    const r = rng(12);
    for (let i = 0; i < 30; i++) {
      addAgent(before, `agt_${i}`, UNITS[i % 3]!);
      for (const c of CONTROLS.slice(0, 1 + (i % CONTROLS.length))) finding.run(`agt_${i}`, c, 1 + (i % 3), STATUSES[Math.floor(r() * STATUSES.length)], AT, AT);
    }
    addAgent(before, 'agt_none', 'u1'); // enrolled, never evaluated
    before.prepare(`UPDATE agents SET retired_at = ?, state = 'retired' WHERE id = 'agt_4'`).run(AT);
    before.close();

    const store = openStore(dir);
    stores.push(store);
    expect(store.compliance.summaryByLevel(UNITS).reduce((n, l) => n + l.agents, 0)).toBe(29);
    expectCountsMatch(store);
  });

  it('refuses to open a database whose count triggers are gone, rather than show drifting figures', () => {
    const dir = mkdtempSync(join(tmpdir(), 'soclite-ccounts-missing-'));
    openStore(dir).close();
    const db = new Database(databasePath(dir));
    db.exec('DROP TRIGGER compliance_finding_updated');
    db.close();
    expect(() => openStore(dir)).toThrow(/compliance count triggers missing \(compliance_finding_updated\)/);
  });
});
