// Wiring shared by the integration tests, the SIGKILL child and the benchmark: a WAL SQLite outbox and a
// delivery engine with quick backoff so outages resolve within a test's time.
import Database from 'better-sqlite3';
import { Registry } from 'prom-client';
import type { DestinationConfig } from '../../../collector/forward/config.js';
import { DeliveryEngine } from '../../../collector/forward/delivery.js';
import { SqliteForwardQueue } from '../../../collector/forward/sqlite-queue.js';
import { PRODUCER } from './events.js';

export function openOutbox(file: string): { db: Database.Database; queue: SqliteForwardQueue } {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  SqliteForwardQueue.ensureSchema(db);
  return { db, queue: new SqliteForwardQueue(db) };
}

export function syslogDestination(port: number, over: Partial<DestinationConfig> = {}): DestinationConfig {
  return {
    name: 'soc',
    type: 'syslog',
    format: 'cef',
    host: '127.0.0.1',
    port,
    timeoutMs: 3000,
    backoffBaseMs: 50,
    backoffCapMs: 400,
    maxMessageBytes: 65536,
    ...over,
  };
}

export function makeEngine(queue: SqliteForwardQueue, destinations: DestinationConfig[], idlePollMs = 200) {
  const registry = new Registry();
  const engine = new DeliveryEngine({ queue, destinations, registry, producer: PRODUCER, idlePollMs });
  return { engine, registry };
}

export async function waitUntil(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export async function metricValue(registry: Registry, name: string, destination = 'soc'): Promise<number> {
  const m = await registry.getSingleMetric(name)?.get();
  return m?.values.find((v) => v.labels['destination'] === destination)?.value ?? 0;
}
