// Opens the embedded SQLite database under the data dir and brings its schema up to date.
import Database from 'better-sqlite3';
import { mkdirSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { migrations as coreMigrations, type Migration } from './migrations.js';

export type Db = Database.Database;

export interface OpenOptions {
  /** Extra migrations owned by other rooms (e.g. the forwarder's queue), applied after the core ones. */
  extraMigrations?: Migration[];
  /**
   * Told before each migration runs on this connection, including those the repositories apply: an upgrade of
   * a large fleet's database can take a minute or more (counts computed from 5 million findings), and a
   * collector that says nothing for that long looks hung.
   */
  onMigration?: (m: { version: number; name: string }) => void;
}

const migrationListeners = new WeakMap<Db, NonNullable<OpenOptions['onMigration']>>();

export function databasePath(dataDir: string): string {
  return join(dataDir, 'soclite.db');
}

export function openDatabase(dataDir: string, opts: OpenOptions = {}): Db {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = databasePath(dataDir);
  const db = new Database(file);
  // The database holds token hashes and audit records: readable by the service account only.
  chmodSync(file, 0o600);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL'); // WAL + NORMAL is durable across process crashes; fsync at checkpoints
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // 64 MiB of page cache instead of SQLite's 2 MiB default: with 100,000 agents the findings indexes are
  // hundreds of MiB, and every first evaluation inserts ~110 rows at random places in them; with the default
  // cache each insert re-read its index pages from the OS (measured: ~85 first postures/s instead of hundreds).
  db.pragma('cache_size = -65536');
  // After the WAL starts over, its file is cut back to 64 MiB: a burst (a fleet's first postures) must not
  // leave hundreds of MB of WAL on disk for good.
  db.pragma('journal_size_limit = 67108864');
  immediateTransactions(db);
  if (opts.onMigration) migrationListeners.set(db, opts.onMigration);
  applyMigrations(db, [...coreMigrations, ...(opts.extraMigrations ?? [])]);
  return db;
}

/**
 * Every transaction of this connection starts with BEGIN IMMEDIATE (nested ones stay savepoints). A deferred
 * transaction that reads and then writes is refused with SQLITE_BUSY, without waiting, when the checkpoint
 * worker (store/checkpointer.ts) restarted the WAL after its read began; taking the write lock first makes it
 * wait for the checkpoint instead (measured: 202 of 8,000 read-then-write transactions refused before, none
 * after). Only the worker connections share the file, and only the checkpointer writes, so nothing else waits.
 */
function immediateTransactions(db: Db): void {
  const make = db.transaction.bind(db);
  db.transaction = ((fn: Parameters<Db['transaction']>[0]) => make(fn).immediate) as Db['transaction'];
}

/**
 * Tables kept by triggers (the overview's, the compliance counts) would silently drift from the rows they
 * summarise without them: refuse to open the store rather than show wrong figures. `rebuilt` names the tables
 * whose rebuild by a later migration would drop them.
 */
export function requireTriggers(db: Db, names: string[], what: string, rebuilt: string): void {
  const present = new Set(db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").pluck().all() as string[]);
  const missing = names.filter((t) => !present.has(t));
  if (missing.length) throw new Error(`${what} triggers missing (${missing.join(', ')}): a migration rebuilt ${rebuilt} without re-creating them`);
}

export function applyMigrations(db: Db, all: Migration[]): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const done = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version),
  );
  const versions = new Set<number>();
  for (const m of all) {
    if (versions.has(m.version)) throw new Error(`migration version ${m.version} is defined twice`);
    versions.add(m.version);
  }
  const applied: number[] = [];
  for (const m of [...all].sort((a, b) => a.version - b.version)) {
    if (done.has(m.version)) continue;
    migrationListeners.get(db)?.({ version: m.version, name: m.name });
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        m.version,
        m.name,
        new Date().toISOString(),
      );
    })();
    applied.push(m.version);
  }
  return applied;
}
