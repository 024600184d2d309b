// The dashboard overview's own tables, owned by OverviewRepository (versions 7xx, far from the core sequence).
// overview_agents holds one narrow row per agent with everything the overview groups by: unit and state
// (copied from agents) and the few facts it needs from the latest posture document (extracted with
// json_extract). SQLite triggers keep it in step inside the very statement that changes agents or
// agent_postures, so it is never stale and costs no commit of its own: enrollment, liveness changes,
// retirement and a new posture document update it within their own transaction, whoever writes them.
import type { Migration } from './migrations.js';

/** The first version: facts keyed by posture hash, re-extracted after ingest. Kept so old databases upgrade in order. */
export const OVERVIEW_FACTS_MIGRATION: Migration = {
  version: 701,
  name: 'dashboard overview: facts extracted from each agent’s latest posture',
  sql: `
    CREATE TABLE agent_posture_facts (
      agent_id TEXT PRIMARY KEY REFERENCES agents(id),
      posture_hash TEXT NOT NULL,
      av_status TEXT,
      pending_security INTEGER,
      reboot_required INTEGER,
      listening_known INTEGER NOT NULL,
      exposed_ports TEXT NOT NULL,
      os_name TEXT
    ) WITHOUT ROWID;
    -- Covering index on unit, state and posture hash: no longer read by the overview, but the agents page's
    -- COUNT over (unit_id IN ..., state <> 'retired') is answered from it without touching the wide rows.
    CREATE INDEX agents_overview_scope ON agents(unit_id, state, posture_hash, id);
  `,
};

/**
 * The SET list that extracts an agent's facts from the posture document `doc` (an SQL expression).
 * patch: 0 no security update pending, 1 some pending, NULL unknown. exposed_ports: ",22,445," (distinct,
 * ascending; NULL when nothing is exposed), so agents with the same exposed services group together.
 */
const factsFrom = (doc: string) => `
  has_posture = 1,
  os_name = json_extract(${doc}, '$.host.os.name'),
  av_status = json_extract(${doc}, '$.av.status'),
  patch = CASE WHEN json_extract(${doc}, '$.patches.pendingSecurity') = 0 THEN 0
               WHEN json_extract(${doc}, '$.patches.pendingSecurity') > 0 THEN 1 END,
  reboot = COALESCE(json_extract(${doc}, '$.patches.rebootRequired') = 1, 0),
  listening_known = COALESCE(json_type(${doc}, '$.network.listening') = 'array', 0),
  exposed_ports = (SELECT ',' || group_concat(port, ',') || ',' FROM (
    SELECT DISTINCT json_extract(j.value, '$.port') AS port FROM json_each(${doc}, '$.network.listening') j
    WHERE json_extract(j.value, '$.exposed') = 1 ORDER BY port))`;

const NO_FACTS = 'has_posture = 0, os_name = NULL, av_status = NULL, patch = NULL, reboot = 0, listening_known = 0, exposed_ports = NULL';

export const OVERVIEW_AGENTS_MIGRATION: Migration = {
  version: 702,
  name: 'dashboard overview: one narrow row per agent kept current by triggers',
  sql: `
    CREATE TABLE overview_agents (
      agent_id TEXT PRIMARY KEY,
      unit_id TEXT NOT NULL,
      state TEXT NOT NULL,
      has_posture INTEGER NOT NULL DEFAULT 0,
      os_name TEXT,
      av_status TEXT,
      patch INTEGER,
      reboot INTEGER NOT NULL DEFAULT 0,
      listening_known INTEGER NOT NULL DEFAULT 0,
      exposed_ports TEXT
    );

    -- Backfill. Facts that version 701 already extracted from the current posture are copied (a JSON pass
    -- over 100,000 documents takes seconds); the rest are extracted from the documents.
    INSERT INTO overview_agents (agent_id, unit_id, state) SELECT id, unit_id, state FROM agents;
    UPDATE overview_agents SET
      has_posture = 1, os_name = f.os_name, av_status = f.av_status,
      patch = CASE WHEN f.pending_security = 0 THEN 0 WHEN f.pending_security > 0 THEN 1 END,
      reboot = COALESCE(f.reboot_required = 1, 0), listening_known = COALESCE(f.listening_known = 1, 0),
      exposed_ports = NULLIF(f.exposed_ports, ',,')
    FROM agent_posture_facts f JOIN agents a ON a.id = f.agent_id AND a.posture_hash = f.posture_hash
    WHERE f.agent_id = overview_agents.agent_id AND EXISTS (SELECT 1 FROM agent_postures p WHERE p.agent_id = f.agent_id);
    UPDATE overview_agents SET ${factsFrom('p.posture_json')}
    FROM agent_postures p WHERE p.agent_id = overview_agents.agent_id AND overview_agents.has_posture = 0;
    DROP TABLE agent_posture_facts;

    -- The overview's two scans, each read in index order so GROUP BY needs no sort: counts by state, OS,
    -- AV and patch status; and machines per set of exposed ports (only agents that expose something).
    CREATE INDEX overview_agents_counts ON overview_agents(state, os_name, av_status, patch, reboot, listening_known, has_posture, unit_id);
    CREATE INDEX overview_agents_ports ON overview_agents(exposed_ports, state, unit_id) WHERE exposed_ports IS NOT NULL;

    CREATE TRIGGER overview_agent_inserted AFTER INSERT ON agents BEGIN
      INSERT INTO overview_agents (agent_id, unit_id, state) VALUES (NEW.id, NEW.unit_id, NEW.state);
    END;
    -- Fires only for statements that SET state or unit_id (liveness changes, retirement), never for the
    -- report bookkeeping UPDATE every heartbeat runs; the WHEN skips rewrites to the same value.
    CREATE TRIGGER overview_agent_updated AFTER UPDATE OF state, unit_id ON agents
    WHEN NEW.state IS NOT OLD.state OR NEW.unit_id IS NOT OLD.unit_id BEGIN
      UPDATE overview_agents SET state = NEW.state, unit_id = NEW.unit_id WHERE agent_id = NEW.id;
    END;
    CREATE TRIGGER overview_agent_deleted AFTER DELETE ON agents BEGIN
      DELETE FROM overview_agents WHERE agent_id = OLD.id;
    END;
    -- An unchanged posture rewrites no document (ingest compares hashes first), so these run once per change.
    CREATE TRIGGER overview_posture_inserted AFTER INSERT ON agent_postures BEGIN
      UPDATE overview_agents SET ${factsFrom('NEW.posture_json')} WHERE agent_id = NEW.agent_id;
    END;
    CREATE TRIGGER overview_posture_updated AFTER UPDATE OF posture_json ON agent_postures BEGIN
      UPDATE overview_agents SET ${factsFrom('NEW.posture_json')} WHERE agent_id = NEW.agent_id;
    END;
    CREATE TRIGGER overview_posture_deleted AFTER DELETE ON agent_postures BEGIN
      UPDATE overview_agents SET ${NO_FACTS} WHERE agent_id = OLD.agent_id;
    END;
  `,
};

// What a row of overview_agents counts under: its group key. NULLs become '' or -1 so the key is a primary key
// (SQLite never finds two NULLs equal, so an upsert would add a row per NULL); the reader treats '' and -1 as
// it treated NULL (unknown).
const GROUP_KEY = 'unit_id, state, os_name, av_status, patch, reboot, listening_known, has_posture';
const groupOf = (r: string) =>
  `${r}.unit_id, ${r}.state, COALESCE(${r}.os_name, ''), COALESCE(${r}.av_status, ''), COALESCE(${r}.patch, -1), ${r}.reboot, ${r}.listening_known, ${r}.has_posture`;
const countGroup = (r: string, delta: 1 | -1) => `
  INSERT INTO overview_group_counts (${GROUP_KEY}, n) VALUES (${groupOf(r)}, ${delta})
    ON CONFLICT (${GROUP_KEY}) DO UPDATE SET n = n + excluded.n;`;
const countPorts = (r: string, delta: 1 | -1) => `
  INSERT INTO overview_port_counts (unit_id, state, exposed_ports, n)
    SELECT ${r}.unit_id, ${r}.state, ${r}.exposed_ports, ${delta} WHERE ${r}.exposed_ports IS NOT NULL
    ON CONFLICT (unit_id, state, exposed_ports) DO UPDATE SET n = n + excluded.n;`;

/**
 * The overview's counts themselves, kept by triggers on overview_agents. Counting that table per page load took
 * 24 ms at 100,000 agents when idle and 41-121 ms under load (bench:steady), on the event loop, so every
 * dashboard refresh held reports back that long. A page load now reads a row per group present in each unit of
 * its scope (the benchmark's seeded fleet: 632 groups over 50 units, 11,494 rows, 7 ms). overview_agents stays:
 * its OLD row tells a trigger which group an agent leaves. Its two covering indexes, there only for the counting
 * scans, go. Rows that drop to 0 stay (bounded by the combinations a unit ever had); they add nothing to a sum.
 */
export const OVERVIEW_COUNTS_MIGRATION: Migration = {
  version: 703,
  name: 'dashboard overview: counts per unit and group kept current by triggers',
  sql: `
    CREATE TABLE overview_group_counts (
      unit_id TEXT NOT NULL,
      state TEXT NOT NULL,
      os_name TEXT NOT NULL,
      av_status TEXT NOT NULL,
      patch INTEGER NOT NULL,
      reboot INTEGER NOT NULL,
      listening_known INTEGER NOT NULL,
      has_posture INTEGER NOT NULL,
      n INTEGER NOT NULL,
      PRIMARY KEY (${GROUP_KEY})
    ) WITHOUT ROWID;
    CREATE TABLE overview_port_counts (
      unit_id TEXT NOT NULL,
      state TEXT NOT NULL,
      exposed_ports TEXT NOT NULL,
      n INTEGER NOT NULL,
      PRIMARY KEY (unit_id, state, exposed_ports)
    ) WITHOUT ROWID;
    INSERT INTO overview_group_counts (${GROUP_KEY}, n) SELECT ${groupOf('o')}, COUNT(*) FROM overview_agents o GROUP BY ${groupOf('o')};
    INSERT INTO overview_port_counts (unit_id, state, exposed_ports, n)
      SELECT unit_id, state, exposed_ports, COUNT(*) FROM overview_agents WHERE exposed_ports IS NOT NULL GROUP BY unit_id, state, exposed_ports;
    DROP INDEX overview_agents_counts;
    DROP INDEX overview_agents_ports;

    CREATE TRIGGER overview_counts_inserted AFTER INSERT ON overview_agents BEGIN ${countGroup('NEW', 1)} ${countPorts('NEW', 1)} END;
    CREATE TRIGGER overview_counts_deleted AFTER DELETE ON overview_agents BEGIN ${countGroup('OLD', -1)} ${countPorts('OLD', -1)} END;
    CREATE TRIGGER overview_counts_updated AFTER UPDATE ON overview_agents
    WHEN ${[...GROUP_KEY.split(', '), 'exposed_ports'].map((c) => `OLD.${c} IS NOT NEW.${c}`).join(' OR ')} BEGIN
      ${countGroup('OLD', -1)} ${countPorts('OLD', -1)} ${countGroup('NEW', 1)} ${countPorts('NEW', 1)}
    END;
  `,
};

export const OVERVIEW_MIGRATIONS: Migration[] = [OVERVIEW_FACTS_MIGRATION, OVERVIEW_AGENTS_MIGRATION, OVERVIEW_COUNTS_MIGRATION];

/** The triggers 702 and 703 create. A later migration that rebuilds agents or agent_postures drops them with the table. */
export const OVERVIEW_TRIGGERS = [
  'overview_agent_inserted',
  'overview_agent_updated',
  'overview_agent_deleted',
  'overview_posture_inserted',
  'overview_posture_updated',
  'overview_posture_deleted',
  'overview_counts_inserted',
  'overview_counts_deleted',
  'overview_counts_updated',
];
