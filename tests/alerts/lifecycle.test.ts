// The lifecycle state machine: which actions each status allows, what is forwarded, and clear refusals.
import { describe, expect, it } from 'vitest';
import { transition, type LifecycleAction } from '../../collector/alerts/lifecycle.js';
import type { Alert, AlertStatus } from '../../collector/alerts/types.js';

const now = new Date('2025-03-01T10:00:00Z');
const alert = (status: AlertStatus, o: Partial<Alert> = {}): Alert => ({
  id: 'alr_x', agentId: 'a', unitId: 'u', kind: 'k', key: '', severity: 'high', status, title: { vi: 'v', en: 'e' }, details: {}, level: 1,
  occurrences: 1, firstSeenAt: now.toISOString(), lastSeenAt: now.toISOString(), createdAt: now.toISOString(), updatedAt: now.toISOString(),
  assignee: null, acknowledgedAt: null, acknowledgedBy: null, resolvedAt: null, resolvedBy: null, resolution: null, suppressedUntil: null,
  suppressReason: null, step: 1, ...o,
});
const run = (a: Alert, action: LifecycleAction) => transition(a, action, { now, actor: 'ir1', maxSuppressHours: 24 });
const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as { statusCode: number }).statusCode;
  }
  return 0;
};

describe('alert lifecycle', () => {
  it('open -> acknowledged -> resolved, each step forwarded and numbered', () => {
    const ack = run(alert('open'), { type: 'acknowledge' });
    expect(ack.alert).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'ir1', step: 2 });
    expect(ack.forward).toBe('updated');
    const res = run(ack.alert, { type: 'resolve', resolution: 'cleaned', auto: false });
    expect(res.alert).toMatchObject({ status: 'resolved', resolvedBy: 'ir1', step: 3 });
    expect(res.forward).toBe('resolved');
  });
  it('refuses what the status does not allow with 409', () => {
    expect(code(() => run(alert('acknowledged'), { type: 'acknowledge' }))).toBe(409);
    expect(code(() => run(alert('resolved'), { type: 'resolve', resolution: 'x', auto: false }))).toBe(409);
    expect(code(() => run(alert('resolved'), { type: 'assign', assignee: 'a' }))).toBe(409);
    expect(code(() => run(alert('resolved'), { type: 'suppress', reason: 'r', until: '2025-03-01T11:00:00Z' }))).toBe(409);
    expect(code(() => run(alert('open'), { type: 'reopen', reason: 'r' }))).toBe(409);
    expect(code(() => run(alert('resolved'), { type: 'occur', at: now.toISOString(), details: {} }))).toBe(409);
  });
  it('validates reasons, notes and suppression windows with 400', () => {
    expect(code(() => run(alert('open'), { type: 'note', text: '   ' }))).toBe(400);
    expect(code(() => run(alert('open'), { type: 'suppress', reason: 'r', until: 'tomorrow' }))).toBe(400);
    expect(code(() => run(alert('open'), { type: 'suppress', reason: 'r', until: '2025-03-03T10:00:00Z' }))).toBe(400);
    expect(code(() => run(alert('open'), { type: 'resolve', resolution: '', auto: false }))).toBe(400);
  });
  it('notes are recorded but not forwarded; notes are allowed on resolved alerts', () => {
    const n = run(alert('resolved'), { type: 'note', text: 'post-mortem done' });
    expect(n.forward).toBeNull();
    expect(n.alert.step).toBe(1);
  });
  it('a suppressed alert counts repeats silently until the suppression expires, then re-opens on the next one', () => {
    const s = run(alert('open'), { type: 'suppress', reason: 'lab', until: '2025-03-01T11:00:00Z' }).alert;
    const quiet = run(s, { type: 'occur', at: now.toISOString(), details: {} });
    expect(quiet).toMatchObject({ forward: null, alert: { status: 'suppressed', occurrences: 2 } });
    const later = transition(quiet.alert, { type: 'occur', at: '2025-03-01T12:00:00Z', details: {} }, { now: new Date('2025-03-01T12:00:00Z'), actor: 'system', maxSuppressHours: 24 });
    expect(later).toMatchObject({ forward: 'updated', alert: { status: 'open', occurrences: 3, suppressedUntil: null } });
  });
});
