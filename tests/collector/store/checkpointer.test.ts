// The background checkpointer copies committed WAL frames into the database file from its own thread, and the
// writer keeps only a large safety-net auto-checkpoint.
import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { copyFileSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, databasePath } from '../../../collector/store/database.js';
import { BackgroundCheckpointer } from '../../../collector/store/checkpointer.js';

const waitFor = async (cond: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('background WAL checkpointer', () => {
  it('backfills every committed frame without the writer checkpointing, and the data reads back from the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'soclite-ckpt-'));
    const db = openDatabase(dir);
    const cp = new BackgroundCheckpointer(db, databasePath(dir), 25);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(16_384);
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
    const ins = db.prepare('INSERT INTO t (v) VALUES (?)');
    // ~8 MB of rows in 40 commits: far below the safety net, so only the worker can backfill them.
    for (let c = 0; c < 40; c++) db.transaction(() => { for (let i = 0; i < 200; i++) ins.run('x'.repeat(1000)); })();
    await waitFor(() => cp.stats.walPages > 1000 && cp.stats.checkpointed === cp.stats.walPages);
    expect(cp.stats.failures).toBe(0);
    await cp.close();
    // The frames are in the main file: a copy of that file alone, without its WAL, holds every row.
    const file = databasePath(dir);
    expect(statSync(file).size).toBeGreaterThan(8_000_000);
    const copy = join(dir, 'main-file-only.db');
    copyFileSync(file, copy);
    const ro = new Database(copy, { readonly: true });
    expect((ro.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n).toBe(8000);
    ro.close();
    db.close();
  });
});
