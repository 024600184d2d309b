// The process running the forwarder is killed with SIGKILL while the SQLite outbox holds undelivered alerts;
// a new process on the same outbox delivers all of them (duplicates allowed, loss not).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { makeEngine, openOutbox, syslogDestination, waitUntil } from './helpers/engine.js';
import { makeEvent } from './helpers/events.js';
import { RsyslogReceiver } from './helpers/rsyslog.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../..');
const dir = mkdtempSync(path.join(os.tmpdir(), 'soclite-kill-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function startChild(outbox: string, port: number, batch = 50): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'fixtures/delivery-child.ts')], {
    cwd: repoRoot,
    env: { ...process.env, SOCLITE_OUTBOX: outbox, SOCLITE_SYSLOG_PORT: String(port), SOCLITE_BATCH: String(batch) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`child exited early with ${code}`)));
    child.stdout!.once('data', () => resolve(child));
  });
}

function kill9(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

describe('forwarder killed with SIGKILL', () => {
  it('delivers what the outbox held after a restart, both when the receiver was down and mid-send', async () => {
    const rs = await RsyslogReceiver.create(path.join(dir, 'rsyslog'), { tls: false });
    const outbox = path.join(dir, 'outbox.db');
    const { db, queue } = openOutbox(outbox);
    // The parent plays the alert engine: the alert row and its outbox rows commit in one transaction.
    db.exec('CREATE TABLE alerts (id TEXT PRIMARY KEY)');
    const { engine } = makeEngine(queue, [syslogDestination(rs.port)]); // used only to enqueue (never started)
    const raise = (n: number, from: number) =>
      db.transaction(() => {
        for (let i = from; i < from + n; i++) {
          const e = makeEvent(i);
          db.prepare('INSERT INTO alerts (id) VALUES (?)').run(e.eventId);
          engine.enqueue(e);
        }
      })();
    let child: ChildProcess | null = null;
    try {
      // 1. Receiver down: the child fails, backs off, and is killed with everything still queued.
      raise(300, 0);
      child = await startChild(outbox, rs.port);
      await waitUntil(() => (db.prepare('SELECT COUNT(*) AS n FROM forward_outbox WHERE attempts > 0').get() as { n: number }).n > 0, 'failed attempts');
      await kill9(child);
      expect(queue.depth('soc')).toBe(300);

      // 2. Receiver up, new process: everything is delivered.
      await rs.start();
      child = await startChild(outbox, rs.port);
      await waitUntil(() => queue.depth('soc') === 0, 'outbox drained after restart');

      // 3. Killed mid-send: small batches, kill as soon as the receiver has some but not all.
      raise(3000, 300);
      const before = rs.records().length;
      await kill9(child);
      child = await startChild(outbox, rs.port, 20);
      await waitUntil(() => rs.records().length > before, 'delivery in progress');
      await kill9(child);
      const left = queue.depth('soc');
      expect(left).toBeGreaterThan(0);
      child = await startChild(outbox, rs.port, 500);
      await waitUntil(() => queue.depth('soc') === 0, 'outbox drained after second kill', 60_000);
      child.kill('SIGTERM');
      await rs.stop();

      const received = rs.records().map((r) => (r['$!']?.['rfc5424-sd']?.['soclite@32473'] ?? {})['eventId']);
      const alertIds = (db.prepare('SELECT id FROM alerts').all() as Array<{ id: string }>).map((r) => r.id);
      const receivedSet = new Set(received);
      expect(alertIds.filter((id) => !receivedSet.has(id))).toEqual([]);
      expect(alertIds).toHaveLength(3300);
      // At-least-once: a batch in flight at the kill may be resent; report how many, never fail on them.
      console.info(`SIGKILL test: ${received.length - receivedSet.size} duplicate deliveries of ${alertIds.length} alerts; ${left} were undelivered at the kill`);
    } finally {
      if (child && child.exitCode === null) await kill9(child);
      await rs.stop();
      db.close();
    }
  });
});
