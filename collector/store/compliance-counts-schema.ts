// The compliance summaries' own tables, owned by ComplianceRepository (versions 8xx, far from the core sequence).
// /compliance and the daily trend used to aggregate every current finding: 5 million rows at 100,000 agents,
// 15-35 s per page load and a core busy for seconds every few minutes. These tables hold the same aggregates,
// kept in step by SQLite triggers inside the very statement that changes a finding or an agent, so they are
// never stale, cost no commit of their own, and a page load reads a few hundred rows:
// - compliance_agents: one narrow row per agent: its unit, whether it counts (not retired), its level (the
//   highest level among its findings) and how many of its findings there are, fail and unknown;
// - compliance_level_counts: machines per unit, level and verdict (compliant, non_compliant, unknown), from
//   the rows of compliance_agents that count and have findings;
// - compliance_control_counts: findings per unit, level, control, pack, severity and status, of agents that
//   count. Rows that drop to 0 stay (a few thousand at most); readers skip them.
import type { Migration } from './migrations.js';

/**
 * For readers: `SUM(CASE WHEN column = 'value' THEN n ELSE 0 END) AS alias, ...`, one sum per alias, over the
 * rows of a count table (`column` is status or verdict).
 */
export function sumsOfN(column: string, aliases: Record<string, string>): string {
  return Object.entries(aliases)
    .map(([alias, value]) => `SUM(CASE WHEN ${column} = '${value}' THEN n ELSE 0 END) AS ${alias}`)
    .join(', ');
}

/** An agent's verdict from its compliance_agents row `r` (SQL): NULL when it does not count or has no findings. */
const verdict = (r: string) => `(CASE WHEN ${r}.counted = 0 OR ${r}.findings = 0 OR ${r}.level IS NULL THEN NULL
  WHEN ${r}.fails > 0 THEN 'non_compliant' WHEN ${r}.unknowns > 0 THEN 'unknown' ELSE 'compliant' END)`;

const CONTROL_KEY = '(unit_id, level, control_id, pack, severity, status)';

/** Adds `delta` to the count of finding `f` (OLD or NEW) when its agent counts. */
const countFinding = (f: string, delta: 1 | -1) => `
  INSERT INTO compliance_control_counts (unit_id, level, control_id, pack, severity, status, n)
    SELECT c.unit_id, ${f}.level, ${f}.control_id, ${f}.pack, ${f}.severity, ${f}.status, ${delta}
    FROM compliance_agents c WHERE c.agent_id = ${f}.agent_id AND c.counted = 1
    ON CONFLICT ${CONTROL_KEY} DO UPDATE SET n = n + excluded.n;`;

/** Adds `delta` to the counts of every finding of agent `a` (OLD or NEW row of agents) in that row's unit. */
const countAgentFindings = (a: string, delta: 1 | -1) => `
  INSERT INTO compliance_control_counts (unit_id, level, control_id, pack, severity, status, n)
    SELECT ${a}.unit_id, f.level, f.control_id, f.pack, f.severity, f.status, ${delta}
    FROM findings f WHERE f.agent_id = ${a}.id AND ${a}.retired_at IS NULL
    ON CONFLICT ${CONTROL_KEY} DO UPDATE SET n = n + excluded.n;`;

/** The highest level among the agent's findings (NULL without any): recomputed only when it may have dropped. */
const maxLevelOf = (agentId: string) => `(SELECT MAX(level) FROM findings WHERE agent_id = ${agentId})`;

export const COMPLIANCE_COUNTS_MIGRATION: Migration = {
  version: 801,
  name: 'compliance summaries: counts per unit, level and control kept current by triggers',
  sql: `
    CREATE TABLE compliance_agents (
      agent_id TEXT PRIMARY KEY,
      unit_id TEXT NOT NULL,
      counted INTEGER NOT NULL,
      level INTEGER,
      findings INTEGER NOT NULL DEFAULT 0,
      fails INTEGER NOT NULL DEFAULT 0,
      unknowns INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID;
    CREATE TABLE compliance_level_counts (
      unit_id TEXT NOT NULL,
      level INTEGER NOT NULL,
      verdict TEXT NOT NULL,
      n INTEGER NOT NULL,
      PRIMARY KEY (unit_id, level, verdict)
    ) WITHOUT ROWID;
    CREATE TABLE compliance_control_counts (
      unit_id TEXT NOT NULL,
      level INTEGER NOT NULL,
      control_id TEXT NOT NULL,
      pack TEXT NOT NULL,
      severity TEXT NOT NULL,
      status TEXT NOT NULL,
      n INTEGER NOT NULL,
      PRIMARY KEY ${CONTROL_KEY}
    ) WITHOUT ROWID;

    -- Backfill from the current findings (one pass; tens of seconds at 100,000 agents, once).
    INSERT INTO compliance_agents (agent_id, unit_id, counted, level, findings, fails, unknowns)
      SELECT a.id, a.unit_id, a.retired_at IS NULL, MAX(f.level), COUNT(f.agent_id), COALESCE(SUM(f.status = 'fail'), 0), COALESCE(SUM(f.status = 'unknown'), 0)
      FROM agents a LEFT JOIN findings f ON f.agent_id = a.id GROUP BY a.id;
    INSERT INTO compliance_level_counts (unit_id, level, verdict, n)
      SELECT unit_id, level, v, COUNT(*) FROM (SELECT unit_id, level, ${verdict('c')} AS v FROM compliance_agents c)
      WHERE v IS NOT NULL GROUP BY unit_id, level, v;
    INSERT INTO compliance_control_counts (unit_id, level, control_id, pack, severity, status, n)
      SELECT c.unit_id, f.level, f.control_id, f.pack, f.severity, f.status, COUNT(*)
      FROM findings f JOIN compliance_agents c ON c.agent_id = f.agent_id AND c.counted = 1
      GROUP BY c.unit_id, f.level, f.control_id, f.pack, f.severity, f.status;

    -- Agents: enrollment, a move to another unit, retirement, deletion.
    CREATE TRIGGER compliance_agent_inserted AFTER INSERT ON agents BEGIN
      INSERT INTO compliance_agents (agent_id, unit_id, counted) VALUES (NEW.id, NEW.unit_id, NEW.retired_at IS NULL);
    END;
    -- Fires only for statements that SET unit_id or retired_at, never for a heartbeat's bookkeeping UPDATE.
    CREATE TRIGGER compliance_agent_moved AFTER UPDATE OF unit_id, retired_at ON agents
    WHEN NEW.unit_id IS NOT OLD.unit_id OR (NEW.retired_at IS NULL) IS NOT (OLD.retired_at IS NULL) BEGIN
      ${countAgentFindings('OLD', -1)}
      ${countAgentFindings('NEW', 1)}
      UPDATE compliance_agents SET unit_id = NEW.unit_id, counted = NEW.retired_at IS NULL WHERE agent_id = NEW.id;
    END;
    CREATE TRIGGER compliance_agent_deleted AFTER DELETE ON agents BEGIN
      DELETE FROM compliance_agents WHERE agent_id = OLD.id;
    END;

    -- An agent's verdict, level or unit changed: move it between the machine counts.
    CREATE TRIGGER compliance_verdict_changed AFTER UPDATE ON compliance_agents
    WHEN ${verdict('NEW')} IS NOT ${verdict('OLD')} OR NEW.level IS NOT OLD.level OR NEW.unit_id IS NOT OLD.unit_id BEGIN
      UPDATE compliance_level_counts SET n = n - 1 WHERE unit_id = OLD.unit_id AND level = OLD.level AND verdict = ${verdict('OLD')};
      INSERT INTO compliance_level_counts (unit_id, level, verdict, n)
        SELECT NEW.unit_id, NEW.level, ${verdict('NEW')}, 1 WHERE ${verdict('NEW')} IS NOT NULL
        ON CONFLICT (unit_id, level, verdict) DO UPDATE SET n = n + 1;
    END;
    CREATE TRIGGER compliance_verdict_deleted AFTER DELETE ON compliance_agents BEGIN
      UPDATE compliance_level_counts SET n = n - 1 WHERE unit_id = OLD.unit_id AND level = OLD.level AND verdict = ${verdict('OLD')};
    END;

    -- Findings: an evaluation inserts, updates and deletes them (store/compliance.ts applyEvaluation).
    CREATE TRIGGER compliance_finding_inserted AFTER INSERT ON findings BEGIN
      UPDATE compliance_agents SET findings = findings + 1, fails = fails + (NEW.status = 'fail'), unknowns = unknowns + (NEW.status = 'unknown'),
        level = CASE WHEN level IS NULL OR NEW.level > level THEN NEW.level ELSE level END
      WHERE agent_id = NEW.agent_id;
      ${countFinding('NEW', 1)}
    END;
    -- Fires only when something counted changed: a finding whose observed value alone changed costs nothing here.
    CREATE TRIGGER compliance_finding_updated AFTER UPDATE OF level, status, severity, pack ON findings
    WHEN NEW.level IS NOT OLD.level OR NEW.status IS NOT OLD.status OR NEW.severity IS NOT OLD.severity OR NEW.pack IS NOT OLD.pack BEGIN
      UPDATE compliance_agents SET fails = fails + (NEW.status = 'fail') - (OLD.status = 'fail'), unknowns = unknowns + (NEW.status = 'unknown') - (OLD.status = 'unknown'),
        level = CASE WHEN level IS NULL OR NEW.level >= level THEN NEW.level ELSE ${maxLevelOf('NEW.agent_id')} END
      WHERE agent_id = NEW.agent_id;
      ${countFinding('OLD', -1)}
      ${countFinding('NEW', 1)}
    END;
    CREATE TRIGGER compliance_finding_deleted AFTER DELETE ON findings BEGIN
      UPDATE compliance_agents SET findings = findings - 1, fails = fails - (OLD.status = 'fail'), unknowns = unknowns - (OLD.status = 'unknown'),
        level = CASE WHEN OLD.level < level THEN level ELSE ${maxLevelOf('OLD.agent_id')} END
      WHERE agent_id = OLD.agent_id;
      ${countFinding('OLD', -1)}
    END;
  `,
};

export const COMPLIANCE_COUNTS_MIGRATIONS: Migration[] = [COMPLIANCE_COUNTS_MIGRATION];

/** The triggers 801 creates. A later migration that rebuilds agents or findings drops them with the table. */
export const COMPLIANCE_COUNTS_TRIGGERS = [
  'compliance_agent_inserted',
  'compliance_agent_moved',
  'compliance_agent_deleted',
  'compliance_verdict_changed',
  'compliance_verdict_deleted',
  'compliance_finding_inserted',
  'compliance_finding_updated',
  'compliance_finding_deleted',
];
