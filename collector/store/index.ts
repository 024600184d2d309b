// The store room's public face: one object holding every repository over one database connection.
import { openDatabase, type Db, type OpenOptions } from './database.js';
import { Checkpointer, type CheckpointerOptions } from './checkpointer.js';
import { PageWarmer } from './page-warmer.js';
import { UnitRepository } from './units.js';
import { TokenRepository } from './tokens.js';
import { AgentRepository, toAgent, type AgentRow } from './agents.js';
import { listAgents, type AgentListFilter } from './agent-list.js';
import { UserRepository } from './users.js';
import { ComplianceRepository } from './compliance.js';
import { SettingsRepository } from './settings.js';
import { EvidenceQueries } from './evidence.js';
import { ComplianceTrendRepository } from './compliance-trend.js';

export interface Store {
  db: Db;
  units: UnitRepository;
  tokens: TokenRepository;
  agents: AgentRepository;
  users: UserRepository;
  compliance: ComplianceRepository;
  settings: SettingsRepository;
  evidence: EvidenceQueries;
  trend: ComplianceTrendRepository;
  /** The filtered, sorted, paged agents table. */
  listAgents(f: AgentListFilter): ReturnType<typeof listAgents>;
  /** Runs fn in one transaction: everything in it is committed together or not at all. */
  transaction<T>(fn: () => T): T;
  /**
   * Runs reads in one transaction: one consistent snapshot, and one WAL read lock taken and released for all of
   * them (each statement outside a transaction takes and releases its own, with their system calls).
   */
  snapshot<T>(fn: () => T): T;
  /** A long-running collector moves WAL checkpoints onto a worker thread (store/checkpointer.ts). */
  startBackgroundCheckpoints(o?: CheckpointerOptions): Checkpointer;
  /** Reads a changed posture's pages on a worker thread before its commit (store/page-warmer.ts); stopped by close. */
  startPageWarmer(onLost?: (err: unknown) => void): PageWarmer;
  close(): void;
}

export function openStore(dataDir: string, opts: OpenOptions = {}): Store {
  const db = openDatabase(dataDir, opts);
  const units = new UnitRepository(db);
  units.ensureDefault();
  let checkpointer: Checkpointer | undefined;
  let warmer: PageWarmer | undefined;
  return {
    db,
    units,
    tokens: new TokenRepository(db),
    agents: new AgentRepository(db),
    users: new UserRepository(db),
    compliance: new ComplianceRepository(db),
    settings: new SettingsRepository(db),
    evidence: new EvidenceQueries(db),
    trend: new ComplianceTrendRepository(db),
    listAgents: (f) => listAgents(db, f, (r) => toAgent(r as unknown as AgentRow)),
    transaction: <T>(fn: () => T) => db.transaction(fn)(),
    snapshot: <T>(fn: () => T) => db.transaction(fn).deferred(),
    startBackgroundCheckpoints: (o) => (checkpointer && !checkpointer.stopped ? checkpointer : (checkpointer = new Checkpointer(db, o))),
    startPageWarmer: (onLost) => (warmer && !warmer.stopped ? warmer : (warmer = new PageWarmer(db, onLost))),
    close: () => {
      checkpointer?.stop();
      warmer?.stop();
      db.close();
    },
  };
}

export type { Db } from './database.js';
export type { Migration } from './migrations.js';
