// WAL checkpoints on the checkpoint worker (store/checkpointer.ts): while it runs the writer never checkpoints
// by itself, yet the WAL does not grow without bound (the worker copies pages back and starts the WAL over),
// nothing committed is lost, and once it stops the writer checkpoints by itself again.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../../collector/store/index.js';
import { DEFAULT_AUTOCHECKPOINT } from '../../../collector/store/checkpointer.js';

const dir = mkdtempSync(join(tmpdir(), 'soclite-checkpointer-'));
const store = openStore(dir);
// The same writes on a store where nobody checkpoints: how large the WAL gets without the worker.
const controlDir = mkdtempSync(join(tmpdir(), 'soclite-checkpointer-control-'));
const control = openStore(controlDir);
control.db.pragma('wal_autocheckpoint = 0');
afterAll(() => {
  store.close();
  control.close();
});

const value = (i: number) => `${i}:` + 'x'.repeat(12_000);
/** ~5 MB of commits in bursts, so the worker gets its turns between them. */
async function writeBursts(s: typeof store): Promise<void> {
  for (let burst = 0; burst < 20; burst++) {
    for (let i = 0; i < 20; i++) s.settings.set(`k${burst * 20 + i}`, value(burst * 20 + i));
    await new Promise((r) => setTimeout(r, 15));
  }
}

async function waitFor(what: string, ok: () => boolean, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('checkpoint worker', () => {
  it('keeps the WAL bounded while the writer never checkpoints, and loses nothing', async () => {
    const cp = store.startBackgroundCheckpoints({ everyMs: 10, restartAtPages: 64 });
    expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);

    await writeBursts(store);
    await writeBursts(control);
    await waitFor('a WAL restart', () => cp.stats.restarts >= 1);
    const walBytes = statSync(join(dir, 'soclite.db-wal')).size;
    const uncheckpointedBytes = statSync(join(controlDir, 'soclite.db-wal')).size;
    // Without checkpoints the WAL holds every page written; restarted, it is reused from the start.
    expect(walBytes).toBeLessThan(uncheckpointedBytes / 2);
    for (let i = 0; i < 400; i++) expect(store.settings.get(`k${i}`)).toBe(value(i));

    cp.stop();
    expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(DEFAULT_AUTOCHECKPOINT);
  });

  // A transaction that reads and then writes, while the worker restarts the WAL under it, must wait for the
  // worker, not fail: deferred transactions got SQLITE_BUSY (500s for reports in the 100,000-agent run).
  it('never refuses a read-then-write transaction while the worker restarts the WAL', async () => {
    const cp = store.startBackgroundCheckpoints({ everyMs: 5, restartAtPages: 32 });
    const restartsBefore = cp.stats.restarts;
    const errors: string[] = [];
    for (let round = 0; round < 200; round++) {
      for (let i = 0; i < 20; i++) {
        try {
          store.transaction(() => {
            store.settings.get(`rw${i}`);
            store.settings.set(`rw${i}`, 'y'.repeat(3000) + round);
          });
        } catch (err) {
          errors.push((err as { code?: string }).code ?? String(err));
        }
      }
      await new Promise((r) => setTimeout(r, 2));
    }
    await waitFor('WAL restarts during the writes', () => cp.stats.restarts > restartsBefore);
    expect(errors).toEqual([]);
    expect(store.settings.get('rw7')).toBe('y'.repeat(3000) + 199);
    cp.stop();
  });
});
