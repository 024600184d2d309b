// Daily compliance snapshots: one row per day, unit, level and control (and per day, unit and level for machine
// verdicts), rewritten during the day and frozen after it. Trends read these instead of replaying the ledger.
import type { Db } from './database.js';
import { placeholders } from './sql.js';


export class ComplianceTrendRepository {
  constructor(private readonly db: Db) {}

  /** Recomputes today's snapshot from the current findings. */
  snapshot(day: string): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM compliance_daily_controls WHERE day = ?').run(day);
      this.db.prepare('DELETE FROM compliance_daily_agents WHERE day = ?').run(day);
      this.db
        .prepare(
          `INSERT INTO compliance_daily_controls (day, unit_id, level, control_id, pass, fail, unknown, not_applicable)
           SELECT ?, a.unit_id, f.level, f.control_id, SUM(f.status = 'pass'), SUM(f.status = 'fail'), SUM(f.status = 'unknown'),
                  SUM(f.status = 'not_applicable')
           FROM findings f JOIN agents a ON a.id = f.agent_id WHERE a.retired_at IS NULL
           GROUP BY a.unit_id, f.level, f.control_id`,
        )
        .run(day);
      this.db
        .prepare(
          `INSERT INTO compliance_daily_agents (day, unit_id, level, compliant, non_compliant, unknown)
           SELECT ?, unit_id, level, SUM(fails = 0 AND unknowns = 0), SUM(fails > 0), SUM(fails = 0 AND unknowns > 0)
           FROM (SELECT a.unit_id, f.agent_id, MAX(f.level) AS level, SUM(f.status = 'fail') AS fails, SUM(f.status = 'unknown') AS unknowns
                 FROM findings f JOIN agents a ON a.id = f.agent_id WHERE a.retired_at IS NULL GROUP BY f.agent_id)
           GROUP BY unit_id, level`,
        )
        .run(day);
    })();
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
