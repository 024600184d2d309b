// Outbox and engine behaviour on a real SQLite file: transactional enqueue, filters, bounded queue with a
// metered drop policy, backoff, config validation, and the metrics a scrape shows.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { fullJitterDelay } from '../../collector/forward/backoff.js';
import { ForwardConfigError, parseForwardConfig, type DestinationConfig } from '../../collector/forward/config.js';
import { DeliveryEngine } from '../../collector/forward/delivery.js';
import type { Sink } from '../../collector/forward/sinks/sink.js';
import type { ForwardEvent } from '../../collector/forward/types.js';
import { Registry } from 'prom-client';
import { makeEvent, PRODUCER } from './helpers/events.js';
import { metricValue, openOutbox, waitUntil } from './helpers/engine.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'soclite-engine-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = () => openOutbox(path.join(dir, `q${n++}.db`));
const fileDest = (over: Partial<DestinationConfig> = {}): DestinationConfig => ({ name: 'soc', type: 'file', format: 'json', path: '/nonexistent/x', ...over });

class MemorySink implements Sink {
  received: ForwardEvent[] = [];
  failNext = 0;
  async send(events: readonly ForwardEvent[]) {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('receiver down');
    }
    this.received.push(...events);
    return { truncated: 0 };
  }
  async close() {}
}

function engineWith(dests: DestinationConfig[], sinks: Record<string, Sink>) {
  const { db, queue } = fresh();
  const registry = new Registry();
  const engine = new DeliveryEngine({ queue, destinations: dests, registry, producer: PRODUCER, sinks: new Map(Object.entries(sinks)), idlePollMs: 50, random: () => 0.5 });
  return { db, queue, registry, engine };
}

describe('outbox and delivery engine', () => {
  it('enqueues inside the caller transaction: a rollback leaves no outbox row, a repeat id is stored once', () => {
    const { db, queue, engine } = engineWith([fileDest()], { soc: new MemorySink() });
    expect(() =>
      db.transaction(() => {
        engine.enqueue(makeEvent(1));
        throw new Error('alert insert failed');
      })(),
    ).toThrow(/alert insert failed/);
    expect(queue.depth('soc')).toBe(0);
    engine.enqueue(makeEvent(2));
    engine.enqueue(makeEvent(2));
    expect(queue.depth('soc')).toBe(1);
    expect(() => engine.enqueue({ ...makeEvent(3), severity: 'bad' as never })).toThrow(/severity/);
  });

  it('applies per-destination filters on severity, kind, level and unit', () => {
    const { queue, engine } = engineWith(
      [fileDest({ name: 'crit', minSeverity: 'high' }), fileDest({ name: 'malware', kinds: ['malware_detected'] }), fileDest({ name: 'l4', levels: [4, 5], units: ['so-tttt'] })],
      { crit: new MemorySink(), malware: new MemorySink(), l4: new MemorySink() },
    );
    expect(engine.enqueue(makeEvent(1, { severity: 'medium', kind: 'file_changed', level: 4 }))).toEqual(['l4']);
    expect(engine.enqueue(makeEvent(2, { severity: 'critical' }))).toEqual(['crit', 'malware']);
    expect(engine.enqueue(makeEvent(3, { severity: 'low', kind: 'agent_offline', level: 5, unit: 'other' }))).toEqual([]);
    expect([queue.depth('crit'), queue.depth('malware'), queue.depth('l4')]).toEqual([1, 1, 1]);
  });

  it('drops the oldest when full, and counts it', async () => {
    const { queue, engine, registry } = engineWith([fileDest({ maxQueue: 5 })], { soc: new MemorySink() });
    for (let i = 0; i < 8; i++) engine.enqueue(makeEvent(i));
    expect(queue.depth('soc')).toBe(5);
    const kept = queue.claim('soc', 10, Date.now(), Date.now() + 1000).map((q) => q.event.eventId);
    expect(kept).toEqual([3, 4, 5, 6, 7].map((i) => makeEvent(i).eventId));
    expect(await metricValue(registry, 'soclite_forwarder_events_dropped_total')).toBe(3);
  });

  it('refuses the newest under drop_newest, and counts it', async () => {
    const { queue, engine, registry } = engineWith([fileDest({ maxQueue: 2, overflow: 'drop_newest' })], { soc: new MemorySink() });
    for (let i = 0; i < 4; i++) engine.enqueue(makeEvent(i));
    expect(queue.claim('soc', 10, Date.now(), Date.now() + 1000).map((q) => q.event.eventId)).toEqual([0, 1].map((i) => makeEvent(i).eventId));
    expect(await metricValue(registry, 'soclite_forwarder_events_dropped_total')).toBe(2);
  });

  it('retries failed batches with backoff, in order, and meters sent, failed, depth and lag', async () => {
    const sink = new MemorySink();
    sink.failNext = 3;
    const { queue, engine, registry } = engineWith([fileDest({ backoffBaseMs: 10, backoffCapMs: 40, batchSize: 4 })], { soc: sink });
    for (let i = 0; i < 10; i++) engine.enqueue(makeEvent(i));
    expect(await metricValue(registry, 'soclite_forwarder_queue_events')).toBe(10);
    engine.start();
    await waitUntil(() => queue.depth('soc') === 0, 'drained');
    await engine.stop();
    expect(sink.received.map((e) => e.eventId)).toEqual(Array.from({ length: 10 }, (_, i) => makeEvent(i).eventId));
    expect(await metricValue(registry, 'soclite_forwarder_events_failed_total')).toBe(12);
    expect(await metricValue(registry, 'soclite_forwarder_events_sent_total')).toBe(10);
    expect(await metricValue(registry, 'soclite_forwarder_queue_events')).toBe(0);
    expect(await metricValue(registry, 'soclite_forwarder_oldest_event_age_seconds')).toBe(0);
    const text = await registry.metrics();
    expect(text).toMatch(/soclite_forwarder_last_success_timestamp_seconds\{destination="soc"\} \d/);
  });

  it('retries the failed batch first even when the clock lags the backoff timer (a busy event loop)', async () => {
    const sink = new MemorySink();
    sink.failNext = 1;
    const { queue } = fresh();
    // A clock that does not move: the backoff timer ends, but by this clock the failed batch is never due.
    const frozen = Date.now();
    const engine = new DeliveryEngine({ queue, destinations: [fileDest({ backoffBaseMs: 10, backoffCapMs: 40, batchSize: 4 })], registry: new Registry(), producer: PRODUCER, sinks: new Map([['soc', sink]]), idlePollMs: 50, random: () => 0.5, now: () => frozen });
    for (let i = 0; i < 8; i++) engine.enqueue(makeEvent(i));
    engine.start();
    await waitUntil(() => queue.depth('soc') === 0, 'drained');
    await engine.stop();
    expect(sink.received.map((e) => e.eventId)).toEqual(Array.from({ length: 8 }, (_, i) => makeEvent(i).eventId));
  });

  it('full-jitter backoff stays within [0, min(cap, base*2^(n-1)))', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 80 }), fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 1_000_000 }), fc.double({ min: 0, max: 0.9999, noNaN: true }), (failures, base, cap, r) => {
        const d = fullJitterDelay(failures, base, cap, () => r);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThan(Math.max(1, Math.min(cap, base * 2 ** (failures - 1))));
      }),
    );
    expect(fullJitterDelay(0, 1000, 5000)).toBe(0);
  });
});

describe('forward configuration', () => {
  it('accepts the documented destination shapes', () => {
    const cfg = parseForwardConfig({
      destinations: [
        { name: 'soc-tls', type: 'syslog', host: 'siem.example', port: 6514, tls: true, ca: '/etc/ca.pem', format: 'cef', minSeverity: 'high' },
        { name: 'hook', type: 'webhook', url: 'https://soc.example/ingest', format: 'ocsf', signing: { algorithm: 'ed25519', privateKeyFile: '/k' } },
        { name: 'local', type: 'file', path: '/var/log/soclite/alerts.jsonl', format: 'ocsf', levels: [3, 4, 5] },
      ],
    });
    expect(cfg.destinations).toHaveLength(3);
  });

  it('says what is wrong with a bad destination', () => {
    const bad = (d: object) => () => parseForwardConfig({ destinations: [d] });
    expect(bad({ name: 'a', type: 'syslog', format: 'cef' })).toThrow(/needs host and port/);
    expect(bad({ name: 'a', type: 'syslog', host: 'h', port: 1, format: 'ocsf' })).toThrow(/cef or json/);
    expect(bad({ name: 'a', type: 'webhook', url: 'https://x', format: 'ocsf' })).toThrow(/signing/);
    expect(bad({ name: 'a', type: 'webhook', url: 'http://x', format: 'ocsf', signing: { algorithm: 'hmac-sha256', secretFile: '/s' } })).toThrow(ForwardConfigError);
    expect(bad({ name: 'a', type: 'file', format: 'json', minSeverity: 'urgent', path: '/p' })).toThrow(/minSeverity/);
    expect(() => parseForwardConfig({ destinations: [fileDest(), fileDest()] })).toThrow(/used twice/);
  });
});
