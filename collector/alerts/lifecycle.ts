// The alert lifecycle as a pure state machine:
//
//   open -> acknowledged -> resolved          (assign and note at any point before resolved; notes also after)
//   open|acknowledged -> suppressed -> open   (suppression has a reason and an expiry; expiry re-opens)
//   open|acknowledged|suppressed -> resolved  (by a person, or automatically when the condition clears)
//
// A new occurrence of an active alert counts on it; while suppressed it is counted but not re-raised
// (nothing is forwarded). Refusals are DomainErrors (409 for the wrong state, 400 for bad input).
import { reject } from '../fleet/errors.js';
import type { Alert, AlertChangeAction, AlertDetails, AlertStatus } from './types.js';

export type LifecycleAction =
  | { type: 'occur'; at: string; details: AlertDetails }
  | { type: 'acknowledge' }
  | { type: 'assign'; assignee: string | null }
  | { type: 'note'; text: string }
  | { type: 'suppress'; reason: string; until: string }
  | { type: 'reopen'; reason: string }
  | { type: 'resolve'; resolution: string; auto: boolean };

export interface Transition {
  alert: Alert;
  /** The history entry to record. */
  history: { action: string; fromStatus: AlertStatus; toStatus: AlertStatus; details: Record<string, unknown> };
  /** Lifecycle step to forward to the SOC, or null when the step is not forwarded (notes, suppressed repeats). */
  forward: 'updated' | 'resolved' | null;
  change: AlertChangeAction;
}

export const MAX_NOTE_CHARS = 4000;
export const MAX_REASON_CHARS = 1000;

function conflict(alert: Alert, what: string): never {
  throw reject(409, 'alert_state', `alert ${alert.id} is ${alert.status}: cannot ${what}`);
}

function text(value: string, field: string, max: number): string {
  const t = value.trim();
  if (t.length === 0) throw reject(400, 'invalid_body', `${field} must not be empty`);
  if ([...t].length > max) throw reject(400, 'invalid_body', `${field} is longer than ${max} characters`);
  return t;
}

export function isActive(status: AlertStatus): boolean {
  return status !== 'resolved';
}

export function transition(alert: Alert, action: LifecycleAction, ctx: { now: Date; actor: string; maxSuppressHours: number }): Transition {
  const at = ctx.now.toISOString();
  const from = alert.status;
  const base: Alert = { ...alert, updatedAt: at };
  const step = (next: Alert, forward: Transition['forward']) => ({ ...next, step: forward ? alert.step + 1 : alert.step });
  switch (action.type) {
    case 'occur': {
      if (from === 'resolved') conflict(alert, 'count a new occurrence (a new alert is raised instead)');
      const expired = from === 'suppressed' && alert.suppressedUntil !== null && Date.parse(alert.suppressedUntil) <= ctx.now.getTime();
      const counted: Alert = {
        ...base,
        occurrences: alert.occurrences + 1,
        lastSeenAt: action.at > alert.lastSeenAt ? action.at : alert.lastSeenAt,
        details: { ...alert.details, ...action.details },
      };
      if (from === 'suppressed' && !expired) {
        return { alert: step(counted, null), history: { action: 'occurred', fromStatus: from, toStatus: from, details: { occurrences: counted.occurrences, suppressed: true } }, forward: null, change: 'occurred' };
      }
      const next: Alert = expired ? { ...counted, status: 'open', suppressedUntil: null, suppressReason: null } : counted;
      return {
        alert: step(next, 'updated'),
        history: { action: 'occurred', fromStatus: from, toStatus: next.status, details: { occurrences: next.occurrences, ...(expired ? { suppressionExpired: true } : {}) } },
        forward: 'updated',
        change: 'occurred',
      };
    }
    case 'acknowledge': {
      if (from !== 'open') conflict(alert, 'acknowledge (only an open alert can be acknowledged)');
      const next: Alert = { ...base, status: 'acknowledged', acknowledgedAt: at, acknowledgedBy: ctx.actor };
      return { alert: step(next, 'updated'), history: { action: 'acknowledged', fromStatus: from, toStatus: 'acknowledged', details: {} }, forward: 'updated', change: 'acknowledged' };
    }
    case 'assign': {
      if (from === 'resolved') conflict(alert, 'assign');
      const next: Alert = { ...base, assignee: action.assignee };
      return { alert: step(next, 'updated'), history: { action: 'assigned', fromStatus: from, toStatus: from, details: { assignee: action.assignee, previous: alert.assignee } }, forward: 'updated', change: 'assigned' };
    }
    case 'note': {
      const note = text(action.text, 'text', MAX_NOTE_CHARS);
      return { alert: step(base, null), history: { action: 'noted', fromStatus: from, toStatus: from, details: { chars: [...note].length } }, forward: null, change: 'noted' };
    }
    case 'suppress': {
      if (from !== 'open' && from !== 'acknowledged') conflict(alert, 'suppress (only open or acknowledged alerts can be suppressed)');
      const reason = text(action.reason, 'reason', MAX_REASON_CHARS);
      const until = Date.parse(action.until);
      if (Number.isNaN(until)) throw reject(400, 'invalid_body', `until "${action.until}" is not a date-time`);
      if (until <= ctx.now.getTime()) throw reject(400, 'invalid_body', 'until must be in the future');
      if (until - ctx.now.getTime() > ctx.maxSuppressHours * 3600_000) {
        throw reject(400, 'invalid_body', `a suppression may last at most ${ctx.maxSuppressHours} hours`);
      }
      const untilIso = new Date(until).toISOString();
      const next: Alert = { ...base, status: 'suppressed', suppressedUntil: untilIso, suppressReason: reason };
      return { alert: step(next, 'updated'), history: { action: 'suppressed', fromStatus: from, toStatus: 'suppressed', details: { reason, until: untilIso } }, forward: 'updated', change: 'suppressed' };
    }
    case 'reopen': {
      if (from !== 'suppressed') conflict(alert, 'reopen (only a suppressed alert is reopened)');
      const next: Alert = { ...base, status: 'open', suppressedUntil: null, suppressReason: null };
      return { alert: step(next, 'updated'), history: { action: 'reopened', fromStatus: from, toStatus: 'open', details: { reason: action.reason } }, forward: 'updated', change: 'reopened' };
    }
    case 'resolve': {
      if (from === 'resolved') conflict(alert, 'resolve (already resolved)');
      const resolution = text(action.resolution, 'resolution', MAX_REASON_CHARS);
      const next: Alert = { ...base, status: 'resolved', resolvedAt: at, resolvedBy: action.auto ? 'system' : ctx.actor, resolution, suppressedUntil: null, suppressReason: null };
      return { alert: step(next, 'resolved'), history: { action: action.auto ? 'auto_resolved' : 'resolved', fromStatus: from, toStatus: 'resolved', details: { resolution } }, forward: 'resolved', change: 'resolved' };
    }
  }
}
