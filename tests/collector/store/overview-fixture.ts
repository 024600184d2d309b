// Shared by the overview tests: a small fleet with realistic posture documents (plus the odd ones: no posture,
// no listening list, no AV section), and the overview computed the slow, obvious way from the stored documents,
// which the repository's answer must equal.
import { createHash } from 'node:crypto';
import type { Db } from '../../../collector/store/database.js';
import { AgentRepository } from '../../../collector/store/agents.js';
import { DEFAULT_RISKY_PORTS } from '../../../collector/alerts/config.js';
import type { OverviewCounts, RiskyPort } from '../../../collector/store/overview.js';
import { buildPosture, machineProfile } from '../../../scripts/simulate/profile.js';
import { Rng } from '../../../scripts/simulate/rng.js';

export const RISKY: RiskyPort[] = DEFAULT_RISKY_PORTS.map((p) => ({ port: p.port, service: p.name }));
export const AT = '2026-03-01T00:00:00.000Z';
export const UNITS = ['u1', 'u2', 'u3'];

export function seedUnitsAndToken(db: Db): void {
  for (const u of UNITS) db.prepare('INSERT INTO units (id, name, parent_id, default_level, created_at) VALUES (?, ?, NULL, 1, ?)').run(u, u, AT);
  db.prepare(
    `INSERT INTO enrollment_tokens (id, unit_id, token_sha256, created_at, expires_at, max_uses, uses, revoked, created_by)
     VALUES ('tok', 'u1', 'x', ?, '2099-01-01T00:00:00Z', 1000, 0, 0, 'test')`,
  ).run(AT);
}

export const agentId = (i: number) => `agt_overviewtest${String(i).padStart(6, '0')}`;

/** A realistic posture document of simulated machine i (version v changes it), with some sections dropped for odd i. */
export function postureOf(i: number, v = 0): Record<string, unknown> {
  const { profile, state } = machineProfile('overview-test', i + 1000 * v);
  const doc = buildPosture(profile, state, agentId(i), 1, Date.parse(AT), Rng.from('overview-test', i, v)) as unknown as Record<string, unknown>;
  if (i % 11 === 5) delete (doc.network as Record<string, unknown>).listening;
  if (i % 13 === 7) delete doc.av;
  if (i % 17 === 3) (doc.patches as Record<string, unknown>).pendingSecurity = null;
  return doc;
}

export function savePosture(agents: AgentRepository, i: number, v = 0): void {
  const json = JSON.stringify(postureOf(i, v));
  agents.savePosture(agentId(i), v + 1, createHash('sha256').update(json).digest('hex'), json, AT, true);
}

/** Enrolls agents 0..n-1 over the units; every agent whose index is a multiple of 9 has no posture yet. */
export function seedFleet(db: Db, n: number): void {
  const agents = new AgentRepository(db);
  db.transaction(() => {
    for (let i = 0; i < n; i++) {
      agents.insert({
        id: agentId(i),
        unitId: UNITS[i % UNITS.length]!,
        publicKey: `key-${i}`,
        hostname: `h${i}`,
        hardwareId: `hw-${i}`,
        platform: 'linux',
        agentVersion: '1',
        enrolledAt: AT,
        tokenId: 'tok',
      });
      if (i % 9 !== 0) savePosture(agents, i);
    }
  })();
}

interface Doc {
  host?: { os?: { name?: string } };
  av?: { status?: string };
  patches?: { pendingSecurity?: number | null; rebootRequired?: boolean };
  network?: { listening?: { port: number; exposed: boolean }[] };
}

/** The overview as its definition reads, from every stored posture document (what the fast path must equal). */
export function overviewFromDocuments(db: Db, unitIds: string[], riskyPorts: RiskyPort[]): OverviewCounts {
  const rows = db
    .prepare('SELECT a.unit_id, a.state, p.posture_json FROM agents a LEFT JOIN agent_postures p ON p.agent_id = a.id')
    .all() as { unit_id: string; state: string; posture_json: string | null }[];
  const c: OverviewCounts = {
    total: 0,
    byState: {},
    withoutPosture: 0,
    av: { protected: 0, degraded: 0, unprotected: 0, unknown: 0 },
    patches: { upToDate: 0, missingSecurity: 0, rebootRequired: 0, unknown: 0 },
    exposure: { machinesWithRiskyServices: 0, unknown: 0, byService: [] },
    os: [],
  };
  const os = new Map<string, number>();
  const services = new Map<number, number>();
  for (const r of rows) {
    if (!unitIds.includes(r.unit_id) || r.state === 'retired') continue;
    const d = r.posture_json ? (JSON.parse(r.posture_json) as Doc) : null;
    c.total++;
    c.byState[r.state] = (c.byState[r.state] ?? 0) + 1;
    if (!d) c.withoutPosture++;
    const name = d?.host?.os?.name ?? '';
    os.set(name, (os.get(name) ?? 0) + 1);
    const av = d?.av?.status;
    if (av === 'protected' || av === 'degraded' || av === 'unprotected') c.av[av]++;
    else c.av.unknown++;
    const pending = d?.patches?.pendingSecurity;
    if (pending === 0) c.patches.upToDate++;
    else if (typeof pending === 'number' && pending > 0) c.patches.missingSecurity++;
    else c.patches.unknown++;
    if (d?.patches?.rebootRequired === true) c.patches.rebootRequired++;
    const listening = d?.network?.listening;
    if (!Array.isArray(listening)) {
      c.exposure.unknown++;
      continue;
    }
    const exposed = new Set(listening.filter((l) => l.exposed).map((l) => l.port));
    const risky = riskyPorts.filter((p) => exposed.has(p.port));
    if (risky.length) c.exposure.machinesWithRiskyServices++;
    for (const p of risky) services.set(p.port, (services.get(p.port) ?? 0) + 1);
  }
  c.exposure.byService = riskyPorts
    .filter((p) => services.has(p.port))
    .map((p) => ({ port: p.port, service: p.service, machines: services.get(p.port)! }))
    .sort((x, y) => y.machines - x.machines || x.port - y.port);
  c.os = [...os]
    .map(([name, machines]) => ({ name, machines }))
    .sort((x, y) => y.machines - x.machines || (x.name < y.name ? -1 : x.name > y.name ? 1 : 0))
    .slice(0, 20);
  return c;
}
