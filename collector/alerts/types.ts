// Domain types of the alerts room. Rules are pure: they look at one state change (a posture, events, a
// liveness change, finding transitions) plus the keys of the alerts already active for that agent, and return
// decisions. The alert service turns decisions into stored alerts, audit records and forwarder events.
import type { Severity } from '../forward/types.js';

export type { Severity };

export const ALERT_STATUSES = ['open', 'acknowledged', 'suppressed', 'resolved'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/** The alerts of an agent's silence, one per liveness state past online (rules/agent-rules.ts). */
export const LIVENESS_KINDS = ['heartbeat_lost', 'agent_offline', 'agent_missing'] as const;

/**
 * The alert kinds an ordinary report (a heartbeat, an unchanged posture) may clear or must not raise twice:
 * liveness and clock skew. Each agent row counts its active ones (migration 23), so the alert rules of a
 * report ask for the agent's active alerts only when one of these is open. Changing this list needs a new
 * migration that rebuilds the count and its triggers.
 */
export const REPORT_CLEARED_KINDS = [...LIVENESS_KINDS, 'clock_skew'] as const;

export interface Localized {
  vi: string;
  en: string;
}

/** Flat facts about an alert: what a person (and a SIEM) needs to triage it. */
export type AlertDetails = Record<string, string | number | boolean>;

/**
 * Raise: the condition (or event) is present. `occurrence: 'event'` counts every call (malware seen again);
 * `'condition'` rules only raise when no alert for the key is active, so a persisting condition is one alert.
 */
export interface RaiseDecision {
  op: 'raise';
  kind: string;
  key: string;
  severity: Severity;
  title: Localized;
  details: AlertDetails;
  /** When the condition was observed (RFC 3339). */
  at: string;
}

/** Clear: the condition is gone; the active alert for (kind, key) resolves itself. */
export interface ClearDecision {
  op: 'clear';
  kind: string;
  key: string;
  reason: string;
  at: string;
}

export type AlertDecision = RaiseDecision | ClearDecision;

/** Keys of the alerts currently active (not resolved) for one agent, by kind. */
export type ActiveKeys = ReadonlyMap<string, ReadonlySet<string>>;

export interface Alert {
  id: string;
  agentId: string;
  unitId: string;
  kind: string;
  key: string;
  severity: Severity;
  status: AlertStatus;
  title: Localized;
  details: AlertDetails;
  level: number;
  occurrences: number;
  firstSeenAt: string;
  lastSeenAt: string;
  createdAt: string;
  updatedAt: string;
  assignee: string | null;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
  resolution: string | null;
  suppressedUntil: string | null;
  suppressReason: string | null;
  /** Lifecycle steps taken so far; each forwarded step's event id is `<id>.<step>`, stable across retries. */
  step: number;
}

export interface AlertHistoryEntry {
  at: string;
  action: string;
  actor: string;
  fromStatus: AlertStatus | null;
  toStatus: AlertStatus;
  details: Record<string, unknown>;
}

export interface AlertNote {
  at: string;
  author: string;
  text: string;
}

/** What was done to an alert, for the live feed ('alert' event on the collector service). */
export type AlertChangeAction =
  | 'raised'
  | 'occurred'
  | 'acknowledged'
  | 'assigned'
  | 'noted'
  | 'suppressed'
  | 'reopened'
  | 'resolved';

export interface AlertChange {
  action: AlertChangeAction;
  alert: Alert;
}
