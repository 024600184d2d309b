// Read queries for evidence exports: machines of a scope, the findings ledger "as of" an instant, and the
// transitions of a period. Rows are iterated (better-sqlite3 .iterate) so an export never loads the fleet.
import type { Db } from './database.js';
import { placeholders } from './sql.js';

export interface EvidenceMachineRow {
  id: string;
  hostname: string;
  platform: string;
  posture_os: string | null;
  unit_id: string;
  last_seen_at: string | null;
  systems: string | null;
}

export interface LedgerRow {
  agent_id: string;
  control_id: string;
  status: string;
  previous_status: string | null;
  reason: string | null;
  observed_json: string;
  expected: string;
  at: string;
}

export interface CurrentFindingRow {
  agent_id: string;
  control_id: string;
  status: string;
  reason: string | null;
  observed_json: string;
  expected: string;
  since: string;
  evaluated_at: string;
}

export interface FindingReader {
  /** The machine's current results. */
  current(agentId: string): CurrentFindingRow[];
  /** For each control, the last ledger row at or before `at`, with the time its status run began. */
  asOf(agentId: string, at: string): (LedgerRow & { since: string })[];
}

export interface MachineFilter {
  level: number;
  unitIds: string[];
  systemId?: string;
}


/** Effective level of each agent: the highest level of its systems, else its unit's default. */
const EFFECTIVE_LEVEL = `COALESCE((SELECT MAX(s.level) FROM agent_systems x JOIN information_systems s ON s.id = x.system_id WHERE x.agent_id = a.id), u.default_level)`;

export class EvidenceQueries {
  constructor(private readonly db: Db) {}

  private machineWhere(f: MachineFilter): { sql: string; params: unknown[] } {
    const params: unknown[] = [...f.unitIds];
    let sql = `a.retired_at IS NULL AND a.unit_id IN (${placeholders(f.unitIds.length)})`;
    if (f.systemId) {
      sql += ' AND EXISTS (SELECT 1 FROM agent_systems x WHERE x.agent_id = a.id AND x.system_id = ?)';
      params.push(f.systemId);
    } else {
      sql += ` AND ${EFFECTIVE_LEVEL} = ?`;
      params.push(f.level);
    }
    return { sql, params };
  }

  machineCount(f: MachineFilter): number {
    const w = this.machineWhere(f);
    return (this.db.prepare(`SELECT COUNT(*) AS n FROM agents a JOIN units u ON u.id = a.unit_id WHERE ${w.sql}`).get(...w.params) as { n: number }).n;
  }

  *machines(f: MachineFilter): IterableIterator<EvidenceMachineRow> {
    const w = this.machineWhere(f);
    yield* this.db
      .prepare(
        `SELECT a.id, a.hostname, a.platform, a.unit_id, a.last_seen_at,
                json_extract(p.posture_json, '$.host.os.name') || ' ' || json_extract(p.posture_json, '$.host.os.version') AS posture_os,
                (SELECT group_concat(system_id, ',') FROM agent_systems x WHERE x.agent_id = a.id) AS systems
         FROM agents a JOIN units u ON u.id = a.unit_id LEFT JOIN agent_postures p ON p.agent_id = a.id WHERE ${w.sql} ORDER BY a.id`,
      )
      .iterate(...w.params) as IterableIterator<EvidenceMachineRow>;
  }

  /** Ids of the machines in scope, in machines() order, without reading their postures. */
  *machineIds(f: MachineFilter): IterableIterator<string> {
    const w = this.machineWhere(f);
    yield* this.db.prepare(`SELECT a.id FROM agents a JOIN units u ON u.id = a.unit_id WHERE ${w.sql} ORDER BY a.id`).pluck().iterate(...w.params) as IterableIterator<string>;
  }

  /**
   * Per-machine readers of the given controls' results, each statement prepared once (they run once per machine:
   * 10,000 times in a large export) and reading only those controls (a machine also has other packs' results).
   */
  findingReader(controlIds: string[]): FindingReader {
    const controls = `control_id IN (${placeholders(controlIds.length)})`;
    const current = this.db.prepare(
      `SELECT agent_id, control_id, status, reason, observed_json, expected, since, evaluated_at FROM findings WHERE agent_id = ? AND ${controls}`,
    );
    const ledger = this.db.prepare(
      `SELECT agent_id, control_id, status, previous_status, reason, observed_json, expected, at FROM findings_ledger
       WHERE agent_id = ? AND ${controls} AND at <= ? ORDER BY control_id, at, id`,
    );
    return {
      current: (agentId) => current.all(agentId, ...controlIds) as CurrentFindingRow[],
      asOf: (agentId, at) => {
        // The last ledger row at or before `at` per control, with the time its status run began.
        const out = new Map<string, LedgerRow & { since: string }>();
        for (const r of ledger.all(agentId, ...controlIds, at) as LedgerRow[]) {
          const prev = out.get(r.control_id);
          out.set(r.control_id, { ...r, since: prev && prev.status === r.status ? prev.since : r.at });
        }
        return [...out.values()];
      },
    };
  }

  /**
   * Transitions of the machines in scope, ordered by time. The machine filter is a subquery SQLite evaluates once
   * (not per ledger row), and only the given controls are read.
   */
  *history(f: MachineFilter, controlIds: string[], from: string | undefined, to: string): IterableIterator<LedgerRow> {
    const w = this.machineWhere(f);
    yield* this.db
      .prepare(
        `SELECT l.agent_id, l.control_id, l.status, l.previous_status, l.reason, l.observed_json, l.expected, l.at
         FROM findings_ledger l
         WHERE l.agent_id IN (SELECT a.id FROM agents a JOIN units u ON u.id = a.unit_id WHERE ${w.sql})
           AND l.control_id IN (${placeholders(controlIds.length)}) AND l.at <= ? ${from ? 'AND l.at >= ?' : ''}
         ORDER BY l.at, l.id`,
      )
      .iterate(...w.params, ...controlIds, to, ...(from ? [from] : [])) as IterableIterator<LedgerRow>;
  }
}
