// The liveness state machine (pure): online -> late -> offline -> missing by time since the last report;
// stopped after a goodbye and retired by an operator are left alone until a report (or nothing) changes them.
import type { LivenessState } from './types.js';

export interface LivenessTimers {
  lateAfterSec: number;
  offlineAfterSec: number;
  missingAfterSec: number;
}

export interface LivenessChange {
  state: LivenessState;
  reason: string;
}

/**
 * watchingSince: when this collector process started listening (ms). An agent that was online when the
 * collector stopped is not blamed for the collector's own downtime: its silence counts from the later of its
 * last report and the collector's start. Agents already late or offline keep counting from their last report.
 */
export function nextLivenessState(
  current: LivenessState,
  lastSeenAt: string | null,
  now: number,
  t: LivenessTimers,
  watchingSince = 0,
): LivenessChange | null {
  if (current === 'stopped' || current === 'retired' || !lastSeenAt) return null;
  const heardAt = current === 'online' ? Math.max(Date.parse(lastSeenAt), watchingSince) : Date.parse(lastSeenAt);
  const silentSec = Math.max(0, (now - heardAt) / 1000);
  let state: LivenessState = 'online';
  let limit = 0;
  if (silentSec >= t.missingAfterSec) [state, limit] = ['missing', t.missingAfterSec];
  else if (silentSec >= t.offlineAfterSec) [state, limit] = ['offline', t.offlineAfterSec];
  else if (silentSec >= t.lateAfterSec) [state, limit] = ['late', t.lateAfterSec];
  if (state === current) return null;
  if (state === 'online') return { state, reason: 'report received' };
  return { state, reason: `no report for ${Math.floor(silentSec)} s without a goodbye (${state} after ${limit} s)` };
}

export function validateTimers(t: LivenessTimers): string | null {
  if (!(t.lateAfterSec > 0 && t.offlineAfterSec > t.lateAfterSec && t.missingAfterSec > t.offlineAfterSec)) {
    return 'liveness timers must satisfy 0 < lateAfterSec < offlineAfterSec < missingAfterSec';
  }
  return null;
}
