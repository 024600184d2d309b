// Daily compliance snapshots: one row per day, unit, level and control (and per day, unit and level for machine
// verdicts), rewritten during the day and frozen after it. Trends read these instead of replaying the ledger.
import type { Db } from './database.js';
import { placeholders } from './sql.js';
import { sumsOfN } from './compliance-counts-schema.js';


/** One day's per-control counts by unit and level. */
export interface TrendControlRow {
  unit_id: string;
  level: number;
  control_id: string;
  pass: number;
  fail: number;
  unknown: number;
  not_applicable: number;
}
/** One day's machine verdicts by unit and level. */
export interface TrendAgentRow {
  unit_id: string;
  level: number;
  compliant: number;
  non_compliant: number;
  unknown: number;
}
export interface TrendDay {
  controls: TrendControlRow[];
  agents: TrendAgentRow[];
}

/**
 * Today's aggregates, read from the counts the triggers keep (compliance-counts-schema.ts): a few thousand rows
 * at any fleet size, where they used to be computed from every current finding (seconds at 100,000 agents).
 */
const TREND_CONTROLS_SQL = `SELECT unit_id, level, control_id,
    ${sumsOfN('status', { pass: 'pass', fail: 'fail', unknown: 'unknown', not_applicable: 'not_applicable' })}
  FROM compliance_control_counts WHERE n > 0
  GROUP BY unit_id, level, control_id`;
const TREND_AGENTS_SQL = `SELECT unit_id, level, ${sumsOfN('verdict', { compliant: 'compliant', non_compliant: 'non_compliant', unknown: 'unknown' })}
  FROM compliance_level_counts
  GROUP BY unit_id, level HAVING SUM(n) > 0`;

export class ComplianceTrendRepository {
  constructor(private readonly db: Db) {}

  /** Today's aggregates from the current findings, computed on this connection (one read snapshot). */
  computeDay(): TrendDay {
    return this.db.transaction(() => ({
      controls: this.db.prepare(TREND_CONTROLS_SQL).all() as TrendControlRow[],
      agents: this.db.prepare(TREND_AGENTS_SQL).all() as TrendAgentRow[],
    }))();
  }

  /** Replaces one day's snapshot with the given aggregates. */
  replaceDay(day: string, d: TrendDay): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM compliance_daily_controls WHERE day = ?').run(day);
      this.db.prepare('DELETE FROM compliance_daily_agents WHERE day = ?').run(day);
      const c = this.db.prepare(
        'INSERT INTO compliance_daily_controls (day, unit_id, level, control_id, pass, fail, unknown, not_applicable) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      );
      for (const r of d.controls) c.run(day, r.unit_id, r.level, r.control_id, r.pass, r.fail, r.unknown, r.not_applicable);
      const a = this.db.prepare('INSERT INTO compliance_daily_agents (day, unit_id, level, compliant, non_compliant, unknown) VALUES (?, ?, ?, ?, ?, ?)');
      for (const r of d.agents) a.run(day, r.unit_id, r.level, r.compliant, r.non_compliant, r.unknown);
    })();
  }

  /** Recomputes today's snapshot from the current findings, on this connection. */
  snapshot(day: string): void {
    this.replaceDay(day, this.computeDay());
  }

  machines(unitIds: string[], fromDay: string, level?: number) {
    return this.db
      .prepare(
        `SELECT day, level, SUM(compliant) AS compliant, SUM(non_compliant) AS nonCompliant, SUM(unknown) AS unknown
         FROM compliance_daily_agents WHERE unit_id IN (${placeholders(unitIds.length)}) AND day >= ? ${level !== undefined ? 'AND level = ?' : ''}
         GROUP BY day, level ORDER BY day, level`,
      )
      .all(...unitIds, fromDay, ...(level !== undefined ? [level] : [])) as { day: string; level: number; compliant: number; nonCompliant: number; unknown: number }[];
  }

  control(unitIds: string[], fromDay: string, controlId: string, level?: number) {
    return this.db
      .prepare(
        `SELECT day, SUM(pass) AS pass, SUM(fail) AS fail, SUM(unknown) AS unknown, SUM(not_applicable) AS notApplicable
         FROM compliance_daily_controls WHERE unit_id IN (${placeholders(unitIds.length)}) AND day >= ? AND control_id = ? ${level !== undefined ? 'AND level = ?' : ''}
         GROUP BY day ORDER BY day`,
      )
      .all(...unitIds, fromDay, controlId, ...(level !== undefined ? [level] : [])) as { day: string; pass: number; fail: number; unknown: number; notApplicable: number }[];
  }
}
