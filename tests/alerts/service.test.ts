// The alert service over a real SQLite store: dedup with occurrence counts, auto-resolve, the outbox rows that
// commit (or roll back) with the alert, suppression counting and expiry, scoping, audit and the live event.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { openStore, type Store } from '../../collector/store/index.js';
import { AlertService } from '../../collector/alerts/service.js';
import { AlertsConfigSchema, type AlertsConfig } from '../../collector/alerts/config.js';
import { DeliveryEngine, SqliteForwardQueue, type ForwardEvent } from '../../collector/forward/index.js';
import { auditLog } from '../../collector/audit/index.js';
import { DomainError } from '../../collector/fleet/errors.js';
import type { AlertChange, RaiseDecision } from '../../collector/alerts/types.js';
import { Value } from '@sinclair/typebox/value';

let dir: string;
let store: Store;
let clock: number;
let announced: AlertChange[];
let alerts: AlertService;

const config = (o: Partial<AlertsConfig> = {}): AlertsConfig => ({ ...(Value.Default(AlertsConfigSchema, {}) as AlertsConfig), ...o });

function makeService(cfg = config()) {
  const engine = new DeliveryEngine({
    queue: new SqliteForwardQueue(store.db),
    destinations: [{ name: 'siem', type: 'file', format: 'json', path: join(dir, 'out.jsonl') }],
    registry: new Registry(),
    producer: { vendor: 'soclite', product: 'soclite', productVersion: 'test', collectorHostname: 'c' },
  });
  return new AlertService({
    store,
    config: cfg,
    forward: (e) => engine.enqueue(e),
    audit: auditLog(store),
    policy: () => undefined,
    announce: (c) => announced.push(c),
    now: () => new Date(clock),
  });
}

const outbox = () => (store.db.prepare('SELECT event_json FROM forward_outbox ORDER BY id').all() as { event_json: string }[]).map((r) => JSON.parse(r.event_json) as ForwardEvent);
const tick = () => new Promise((r) => setImmediate(r));
const malware = (key = 'k1'): RaiseDecision => ({
  op: 'raise',
  kind: 'malware_detected',
  key,
  severity: 'critical',
  title: { vi: 'Phát hiện mã độc', en: 'Malware detected' },
  details: { signature: 'EICAR' },
  at: new Date(clock).toISOString(),
});

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'soclite-alerts-'));
  store = openStore(dir);
  const created = new Date().toISOString();
  store.tokens.insert({ id: 'tok', unitId: 'default', tokenSha256: 'f'.repeat(64), createdAt: created, expiresAt: created, maxUses: 1, uses: 0, revoked: false, createdBy: 'test' });
  store.agents.insert({ id: 'agt_1', unitId: 'default', publicKey: 'pk1', hostname: 'pc-1', hardwareId: 'hw1', platform: 'linux', agentVersion: 't', enrolledAt: new Date().toISOString(), tokenId: 'tok' });
  clock = Date.parse('2025-03-01T10:00:00Z');
  announced = [];
  alerts = makeService();
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('AlertService', () => {
  it('dedups by (agent, kind, key) with a count; each step is forwarded with a stable id; clearing resolves', async () => {
    const [a] = alerts.apply('agt_1', [malware()]);
    alerts.apply('agt_1', [malware()]);
    alerts.apply('agt_1', [malware('k2')]);
    const list = alerts.list({ unitIds: ['default'], limit: 10, offset: 0 });
    expect(list.total).toBe(2);
    expect(alerts.repo.get(a!.id)).toMatchObject({ occurrences: 2, status: 'open', severity: 'critical', level: 1 });
    alerts.apply('agt_1', [{ op: 'clear', kind: 'malware_detected', key: 'k1', reason: 'gone', at: new Date(clock).toISOString() }]);
    expect(alerts.repo.get(a!.id)).toMatchObject({ status: 'resolved', resolvedBy: 'system', resolution: 'gone' });
    const ev = outbox().filter((e) => e.alertId === a!.id);
    expect(ev.map((e) => [e.eventId, e.lifecycle])).toEqual([
      [`${a!.id}.1`, 'raised'],
      [`${a!.id}.2`, 'updated'],
      [`${a!.id}.3`, 'resolved'],
    ]);
    expect(ev[0]).toMatchObject({ unit: 'default', level: 1, agent: { id: 'agt_1', hostname: 'pc-1', os: 'linux' }, details: { signature: 'EICAR', occurrences: 1 } });
    // After resolution the same key raises a new alert.
    const [again] = alerts.apply('agt_1', [malware()]);
    expect(again!.id).not.toBe(a!.id);
    await tick();
    expect(announced.map((c) => c.action)).toEqual(['raised', 'occurred', 'raised', 'resolved', 'raised']);
    expect(auditLog(store).list({ action: 'alert.auto_resolve' })).toHaveLength(1);
  });

  it('an alert and its outbox rows roll back together, and nothing is announced', async () => {
    expect(() =>
      store.transaction(() => {
        alerts.apply('agt_1', [malware()]);
        throw new Error('report rejected later in the transaction');
      }),
    ).toThrow(/rejected/);
    expect(alerts.list({ unitIds: ['default'], limit: 10, offset: 0 }).total).toBe(0);
    expect(outbox()).toEqual([]);
    await tick();
    expect(announced).toEqual([]);
  });

  it('disabled rules do not raise; severities can be overridden', () => {
    const quiet = makeService(config({ disabledRules: ['malware_detected'], severities: { file_changed: 'critical' } }));
    expect(quiet.apply('agt_1', [malware()])).toEqual([]);
    const [f] = quiet.apply('agt_1', [{ ...malware(), kind: 'file_changed', severity: 'high' }]);
    expect(f!.severity).toBe('critical');
  });

  it('suppression counts repeats without forwarding them, and re-opens on expiry', () => {
    const [a] = alerts.apply('agt_1', [malware()]);
    const actor = { name: 'ir1' };
    expect(() => alerts.act(a!.id, { type: 'suppress', reason: 'x', until: new Date(clock - 1).toISOString() }, actor, ['default'])).toThrow(/future/);
    expect(() => alerts.act(a!.id, { type: 'suppress', reason: 'x', until: new Date(clock + 1e12).toISOString() }, actor, ['default'])).toThrow(/at most/);
    const until = new Date(clock + 3600_000).toISOString();
    alerts.act(a!.id, { type: 'suppress', reason: 'lab machine', until }, actor, ['default']);
    const before = outbox().length;
    alerts.apply('agt_1', [malware()]);
    alerts.apply('agt_1', [malware()]);
    expect(alerts.repo.get(a!.id)).toMatchObject({ status: 'suppressed', occurrences: 3 });
    expect(outbox().length).toBe(before);
    expect(alerts.expireSuppressions()).toBe(0);
    clock += 3600_000;
    expect(alerts.expireSuppressions()).toBe(1);
    expect(alerts.repo.get(a!.id)).toMatchObject({ status: 'open', suppressedUntil: null });
    expect(outbox().at(-1)).toMatchObject({ lifecycle: 'updated', details: { status: 'open', occurrences: 3 } });
    expect(alerts.repo.history(a!.id).map((h) => h.action)).toEqual(['raised', 'suppressed', 'occurred', 'occurred', 'reopened']);
  });

  it('people only reach alerts in their units; out of scope looks like absent', () => {
    const [a] = alerts.apply('agt_1', [malware()]);
    let err: unknown;
    try {
      alerts.act(a!.id, { type: 'acknowledge' }, { name: 'x' }, ['other-unit']);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).statusCode).toBe(404);
    expect(() => alerts.get(a!.id, ['other-unit'])).toThrow(/no alert/);
    expect(alerts.list({ unitIds: ['other-unit'], limit: 10, offset: 0 }).total).toBe(0);
    expect(alerts.list({ unitIds: [], limit: 10, offset: 0 }).total).toBe(0);
  });

  it('filters by status, severity and kind', () => {
    alerts.apply('agt_1', [malware(), { ...malware('p'), kind: 'exposed_service', severity: 'high' }]);
    const q = (o: object) => alerts.list({ unitIds: ['default'], limit: 10, offset: 0, ...o }).items.map((a) => a.kind).sort();
    expect(q({ severity: ['high'] })).toEqual(['exposed_service']);
    expect(q({ kind: ['malware_detected'] })).toEqual(['malware_detected']);
    expect(q({ status: ['resolved'] })).toEqual([]);
    expect(alerts.list({ unitIds: ['default'], limit: 1, offset: 1 })).toMatchObject({ total: 2, items: [expect.anything()] });
  });
});
