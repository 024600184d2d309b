// A real collector (startCollector: the same wiring as `soclite collector`) over a temp data dir on an
// ephemeral loopback port; tests drive it with app.inject for speed or with fetch over real HTTP.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { LightMyRequestResponse } from 'fastify';
import { loadConfig } from '../../collector/config/load.js';
import { startCollector, type RunningCollector } from '../../collector/server.js';
import { createUser, createApiToken } from '../../collector/auth/service.js';
import type { Role } from '../../collector/auth/types.js';
import { enrollDirect, type EnrolledTestAgent } from '../helpers/enroll.js';

export interface Harness {
  collector: RunningCollector;
  dataDir: string;
  logLines: string[];
  close(): Promise<void>;
}

export async function startHarness(env: Record<string, string> = {}): Promise<Harness> {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'soclite-sec-')), 'data');
  const config = loadConfig({ dataDir, host: '127.0.0.1', port: 0 }, env);
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(...chunk.toString().split('\n').filter(Boolean));
      if (logLines.length > 50_000) logLines.splice(0, logLines.length - 50_000);
      done();
    },
  });
  const collector = await startCollector(config, pino({ level: 'warn' }, sink));
  return { collector, dataDir, logLines, close: () => collector.close() };
}

export const PASSWORD = 'correct horse battery staple';

/** Units: default > north > north-a, default > south. */
export function buildUnitTree(h: Harness): void {
  const units = h.collector.store.units;
  units.create({ id: 'north', name: 'Sở Bắc', parentId: 'default', defaultLevel: 2 });
  units.create({ id: 'north-a', name: 'Phòng A', parentId: 'north', defaultLevel: 2 });
  units.create({ id: 'south', name: 'Sở Nam', parentId: 'default', defaultLevel: 2 });
}

export async function addUser(h: Harness, username: string, role: Role, unitIds: string[]): Promise<{ id: string; token: string }> {
  const u = await createUser(h.collector.store, { username, password: PASSWORD, role, unitIds });
  const t = createApiToken(h.collector.store, { userId: u.id, name: 'test' });
  return { id: u.id, token: t.token };
}

export type TestAgent = EnrolledTestAgent;

/** Enrolls an agent directly through the fleet service (no HTTP), as the collector would. */
export function enrollTestAgent(h: Harness, unitId: string, hostname = 'host-' + unitId): TestAgent {
  return enrollDirect(h.collector, hostname, unitId);
}

export function json(res: LightMyRequestResponse): Record<string, unknown> {
  try {
    return JSON.parse(res.body) as Record<string, unknown>;
  } catch {
    return { raw: res.body };
  }
}

/** Row counts of every table but the audit log (refusals are audited on purpose). */
export function rowCounts(h: Harness): Record<string, number> {
  const db = h.collector.store.db;
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[])
    .map((t) => t.name)
    .filter((n) => !['audit_log', 'audit_units', 'audit_head'].includes(n));
  const out: Record<string, number> = {};
  for (const t of tables) out[t] = (db.prepare(`SELECT COUNT(*) AS n FROM "${t}"`).get() as { n: number }).n;
  return out;
}
