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
import { createEnrollmentToken } from '../../collector/fleet/tokens.js';
import { enrollAgent } from '../../collector/fleet/enrollment.js';
import { enrollProofMessage } from '../../protocol/index.js';
import { newKeyPair, signWith } from '../../agent/transport/identity.js';
import type { Role } from '../../collector/auth/types.js';

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

export interface TestAgent {
  id: string;
  unitId: string;
  privateKey: ReturnType<typeof newKeyPair>['privateKey'];
}

/** Enrolls an agent directly through the fleet service (no HTTP), as the collector would. */
export function enrollTestAgent(h: Harness, unitId: string, hostname = 'host-' + unitId): TestAgent {
  const t = createEnrollmentToken(h.collector.store, { unitId, maxUses: 1, createdBy: 'test' });
  const keys = newKeyPair();
  const proof = signWith(keys.privateKey, enrollProofMessage(t.token, keys.publicKeyB64));
  const res = enrollAgent(h.collector.store, { token: t.token, publicKey: keys.publicKeyB64, proof, agentVersion: 't', hostname, hardwareId: 'hw-' + hostname, platform: 'linux' }, h.collector.service.agentSettings);
  return { id: res.agentId, unitId, privateKey: keys.privateKey };
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
