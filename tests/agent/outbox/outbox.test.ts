import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Outbox } from '../../../agent/outbox/outbox.js';

const fresh = () => mkdtempSync(join(tmpdir(), 'soclite-outbox-'));

describe('durable outbox', () => {
  it('sends events before postures before heartbeats, oldest first within a kind', () => {
    const box = new Outbox(fresh());
    box.enqueue('posture', { kind: 'posture', n: 1 }, 1000);
    box.enqueue('heartbeat', { kind: 'heartbeat' }, 1001);
    box.enqueue('events', { kind: 'events', n: 2 }, 1002);
    box.enqueue('posture', { kind: 'posture', n: 3 }, 1003);
    const order: unknown[] = [];
    for (let m = box.next(); m; m = box.next()) {
      order.push([m.kind, m.payload.n ?? null, m.seq]);
      box.delivered(m.file);
    }
    expect(order).toEqual([
      ['events', 2, 1],
      ['posture', 1, 2],
      ['posture', 3, 3],
      ['heartbeat', null, 4],
    ]);
  });

  it('keeps the in-flight message and its sequence across a restart (a resend reuses the seq)', () => {
    const dir = fresh();
    const a = new Outbox(dir);
    a.enqueue('posture', { kind: 'posture' }, 1);
    a.enqueue('events', { kind: 'events' }, 2);
    const first = a.next()!;
    expect(first.kind).toBe('events');
    // Process dies here; a new process opens the same state dir.
    const b = new Outbox(dir);
    const again = b.next()!;
    expect(again.file).toBe(first.file);
    expect(again.seq).toBe(first.seq);
    b.delivered(again.file);
    expect(b.next()!.seq).toBe(first.seq + 1);
  });

  it('a refused message does not use up its sequence; a resync continues after the collector', () => {
    const box = new Outbox(fresh());
    box.enqueue('posture', { kind: 'posture', bad: true }, 1);
    box.enqueue('posture', { kind: 'posture' }, 2);
    const bad = box.next()!;
    box.rejected(bad.file);
    const good = box.next()!;
    expect(good.seq).toBe(bad.seq);
    box.resync(41);
    expect(box.next()!.seq).toBe(42);
  });

  it('coalesces heartbeats: only the newest unsent one is kept', () => {
    const dir = fresh();
    const box = new Outbox(dir);
    for (let i = 0; i < 5; i++) box.enqueue('heartbeat', { kind: 'heartbeat', i }, 100 + i);
    expect(box.stats().messages).toBe(1);
    expect(box.next()!.payload.i).toBe(4);
  });

  it('over its byte bound it drops the oldest lowest-priority data and reports exactly what it dropped', () => {
    const dir = fresh();
    const pad = 'x'.repeat(900);
    const box = new Outbox(dir, { maxBytes: 5000, maxAgeMs: 1e12 });
    box.enqueue('events', { kind: 'events', pad, n: 0 }, 1);
    for (let i = 1; i <= 8; i++) box.enqueue('posture', { kind: 'posture', pad, n: i }, 1 + i);
    expect(box.stats().bytes).toBeLessThanOrEqual(5000);
    const dropped = box.takeDropped()!;
    expect(dropped.kinds).toEqual(['posture']);
    expect(dropped.oldest).toBe(2);
    const left: number[] = [];
    for (let m = box.next(); m; m = box.next()) {
      left.push(m.payload.n as number);
      box.delivered(m.file);
    }
    expect(left[0]).toBe(0); // the event survived
    expect(left.length + dropped.count).toBe(9);
    expect(left.slice(1)).toEqual([...left.slice(1)].sort((a, b) => a - b));
    expect(Math.min(...left.slice(1))).toBe(1 + dropped.count);
    expect(box.takeDropped()).toBeNull();
  });

  it('drops messages older than its age bound', () => {
    const box = new Outbox(fresh(), { maxBytes: 1e9, maxAgeMs: 1000 });
    box.enqueue('posture', { kind: 'posture' }, 0);
    box.enqueue('posture', { kind: 'posture' }, 5000);
    expect(box.stats().messages).toBe(1);
    expect(box.takeDropped()).toMatchObject({ count: 1, kinds: ['posture'] });
  });

  it('leaves no temporary files behind', () => {
    const dir = fresh();
    const box = new Outbox(dir);
    box.enqueue('posture', { kind: 'posture' }, 1);
    expect(readdirSync(join(dir, 'outbox')).filter((f) => f.includes('.tmp'))).toEqual([]);
  });
});
