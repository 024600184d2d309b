// Fleet-wide counts for the dashboard's overview. Reading every posture document per page load costs seconds
// at 100,000 agents, and counting a narrow row per agent still took 24-121 ms, so the overview reads counts per
// unit and group instead (see overview-schema.ts), kept current by triggers in the same transaction as every
// change to an agent or its posture. A page load sums a row per group present in each unit of its scope, and
// the answer is exact: it is what is committed.
import type { Db } from './database.js';
import { placeholders } from './sql.js';
import { applyMigrations, requireTriggers } from './database.js';
import { OVERVIEW_MIGRATIONS, OVERVIEW_TRIGGERS } from './overview-schema.js';

export interface RiskyPort {
  port: number;
  service: string;
}

export interface OverviewCounts {
  total: number;
  byState: Record<string, number>;
  /** Agents that never sent a posture: every posture-derived figure counts them as unknown. */
  withoutPosture: number;
  av: { protected: number; degraded: number; unprotected: number; unknown: number };
  patches: { upToDate: number; missingSecurity: number; rebootRequired: number; unknown: number };
  exposure: { machinesWithRiskyServices: number; unknown: number; byService: { port: number; service: string; machines: number }[] };
  os: { name: string; machines: number }[];
}

interface GroupRow {
  state: string;
  osName: string | null;
  av: unknown;
  patch: number | null;
  reboot: number;
  listening: number;
  hasPosture: number;
  n: number;
}

const byName = (x: { name: string; machines: number }, y: { name: string; machines: number }) =>
  y.machines - x.machines || (x.name < y.name ? -1 : x.name > y.name ? 1 : 0);

export class OverviewRepository {
  private readonly stmts;

  constructor(private readonly db: Db) {
    applyMigrations(db, OVERVIEW_MIGRATIONS);
    requireTriggers(db, OVERVIEW_TRIGGERS, 'overview', 'agents or agent_postures');
    this.stmts = { unitIds: db.prepare('SELECT id FROM units').pluck() };
  }

  /**
   * unitIds: the caller's scope (an empty list means nothing is visible). riskyPorts: which exposed listening
   * ports count as a risky service (the route decides; this only counts).
   */
  counts(unitIds: string[], riskyPorts: RiskyPort[]): OverviewCounts {
    // Both scans in one read transaction: the figures describe one committed state of the fleet.
    const { groups, portSets } = this.db.transaction(() => {
      // A scope holding every unit (the province's admin) needs no unit test per row, which costs as much as
      // the rest of the scan: every agent's unit is a row of units (foreign key), so the answer is the same.
      const inScope = new Set(unitIds);
      const everyUnit = (this.stmts.unitIds.all() as string[]).every((u) => inScope.has(u));
      const params = everyUnit ? [] : unitIds;
      const scope = `state <> 'retired'${everyUnit ? '' : ` AND unit_id IN (${placeholders(unitIds.length)})`}`;
      return {
        groups: this.db
          .prepare(
            `SELECT state, os_name AS osName, av_status AS av, patch, reboot, listening_known AS listening, has_posture AS hasPosture, SUM(n) AS n
             FROM overview_group_counts WHERE n > 0 AND ${scope}
             GROUP BY state, os_name, av_status, patch, reboot, listening_known, has_posture`,
          )
          .all(...params) as GroupRow[],
        portSets: this.db
          .prepare(`SELECT exposed_ports AS ports, SUM(n) AS n FROM overview_port_counts WHERE n > 0 AND ${scope} GROUP BY exposed_ports`)
          .all(...params) as { ports: string; n: number }[],
      };
    })();

    let total = 0;
    let withoutPosture = 0;
    let exposureUnknown = 0;
    const byState: Record<string, number> = {};
    const byOs = new Map<string, number>();
    const av = { protected: 0, degraded: 0, unprotected: 0 };
    const patches = { upToDate: 0, missingSecurity: 0, rebootRequired: 0 };
    for (const g of groups) {
      total += g.n;
      byState[g.state] = (byState[g.state] ?? 0) + g.n;
      const os = g.osName ?? '';
      byOs.set(os, (byOs.get(os) ?? 0) + g.n);
      if (!g.hasPosture) withoutPosture += g.n;
      if (g.av === 'protected' || g.av === 'degraded' || g.av === 'unprotected') av[g.av] += g.n;
      if (g.patch === 0) patches.upToDate += g.n;
      else if (g.patch === 1) patches.missingSecurity += g.n;
      if (g.reboot === 1) patches.rebootRequired += g.n;
      if (g.listening !== 1) exposureUnknown += g.n;
    }

    // "Is port N exposed" is a token of the ",22,445," set, exactly as instr(ports, ',N,') would answer.
    const perService = riskyPorts.map(() => 0);
    const tokens = riskyPorts.map((p) => String(Math.trunc(p.port)));
    let risky = 0;
    for (const s of portSets) {
      const exposed = new Set(s.ports.split(','));
      let any = false;
      tokens.forEach((t, i) => {
        if (exposed.has(t)) {
          perService[i]! += s.n;
          any = true;
        }
      });
      if (any) risky += s.n;
    }
    const byService = riskyPorts
      .map((p, i) => ({ port: p.port, service: p.service, machines: perService[i]! }))
      .filter((s) => s.machines > 0)
      .sort((x, y) => y.machines - x.machines || x.port - y.port);

    return {
      total,
      byState,
      withoutPosture,
      av: { ...av, unknown: total - av.protected - av.degraded - av.unprotected },
      patches: { ...patches, unknown: total - patches.upToDate - patches.missingSecurity },
      exposure: { machinesWithRiskyServices: risky, unknown: exposureUnknown, byService },
      os: [...byOs].map(([name, machines]) => ({ name, machines })).sort(byName).slice(0, 20),
    };
  }
}
