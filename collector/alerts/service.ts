// The alert service: turns rule decisions into stored alerts, each lifecycle step into a history row, an audit
// record and (for steps the SOC cares about) a forwarder event — all in the caller's transaction, so an alert
// and its outbox rows commit together or not at all. Changes are announced after commit for the live feed.
import { randomBytes } from 'node:crypto';
import { Counter, type Registry } from 'prom-client';
import type { Posture } from '../../protocol/index.js';
import { reject } from '../fleet/errors.js';
import type { Store } from '../store/index.js';
import { AlertRepository, type AlertListQuery } from '../store/alerts.js';
import type { ForwardEvent } from '../forward/types.js';
import type { PolicySet } from '../policy/index.js';
import type { AlertsConfig } from './config.js';
import { toForwardEvent, type AgentFacts } from './forward-event.js';
import { transition, type LifecycleAction, type Transition } from './lifecycle.js';
import type { ActiveKeys, Alert, AlertChange, AlertChangeAction, AlertDecision, AlertHistoryEntry, AlertNote, RaiseDecision } from './types.js';
import type { RequestActor } from '../audit/index.js';

/** The subset of the audit log the alerts room uses (collector/audit AuditLog.record). */
export interface AlertAudit {
  record(input: {
    action: string;
    actor?: { type: 'user' | 'cli' | 'agent' | 'system'; id?: string | null; name: string; role?: string | null };
    target?: { type: string; id: string };
    unitIds?: string[];
    details?: Record<string, unknown>;
  }): unknown;
}

export interface AlertServiceOptions {
  store: Store;
  config: AlertsConfig;
  /** DeliveryEngine.enqueue (synchronous, inside the transaction); null when nothing forwards. */
  forward: ((event: ForwardEvent) => unknown) | null;
  audit: AlertAudit | null;
  policy: () => PolicySet | undefined;
  /** Called after commit with every alert change (the collector service re-emits it as 'alert'). */
  announce: (change: AlertChange) => void;
  registry?: Registry;
  now?: () => Date;
}

/** Who acts on an alert: a person through the API, or the rules themselves. */
export interface AlertActor {
  name: string;
  /** The HTTP request a person acted through: their audit record names its user and address. */
  request?: RequestActor;
}

const SYSTEM: AlertActor = { name: 'system' };
const DEFAULT_SIGNATURE_AGE_HOURS = 72;

export class AlertService {
  readonly repo: AlertRepository;
  private pending: AlertChange[] = [];
  private flushScheduled = false;
  private readonly raisedTotal: Counter<'kind' | 'severity'> | null;
  private readonly now: () => Date;

  constructor(private readonly o: AlertServiceOptions) {
    this.repo = new AlertRepository(o.store.db);
    this.now = o.now ?? (() => new Date());
    this.raisedTotal = o.registry
      ? new Counter({ name: 'soclite_alerts_raised_total', help: 'Alerts raised, by kind and severity', labelNames: ['kind', 'severity'], registers: [o.registry] })
      : null;
  }

  get config(): AlertsConfig {
    return this.o.config;
  }

  activeKeys(agentId: string): ActiveKeys {
    const m = new Map<string, Set<string>>();
    for (const a of this.repo.activeKeysOf(agentId)) {
      const s = m.get(a.kind) ?? new Set<string>();
      s.add(a.dedup_key);
      m.set(a.kind, s);
    }
    return m;
  }

  levelOf(agentId: string): number {
    return this.o.store.compliance.effectiveLevel(agentId) ?? 1;
  }

  /** The signature age limit for a level: the configured override, else the policy pack's parameter. */
  maxSignatureAgeHours(level: number): number {
    if (this.o.config.maxSignatureAgeHours !== undefined) return this.o.config.maxSignatureAgeHours;
    const set = this.o.policy();
    for (const pack of Object.values(set?.packs ?? {})) {
      const v = pack.parameters.maxSignatureAgeHours?.values[String(level)];
      if (typeof v === 'number') return v;
    }
    return DEFAULT_SIGNATURE_AGE_HOURS;
  }

  /**
   * Applies rule decisions for one agent. Runs in a transaction (nested in the caller's when there is one).
   * Returns the alerts that changed.
   */
  apply(agentId: string, decisions: readonly AlertDecision[]): Alert[] {
    if (decisions.length === 0) return [];
    return this.o.store.transaction(() => {
      const changed: Alert[] = [];
      let facts: AgentFacts | undefined;
      const agentFacts = (): AgentFacts => (facts ??= this.agentFacts(agentId));
      for (const d of decisions) {
        const existing = this.repo.activeByKey(agentId, d.kind, d.key);
        if (d.op === 'clear') {
          if (!existing) continue;
          changed.push(this.step(existing, { type: 'resolve', resolution: d.reason, auto: true }, SYSTEM, agentFacts));
          continue;
        }
        if (this.o.config.disabledRules.includes(d.kind)) continue;
        if (existing) changed.push(this.step(existing, { type: 'occur', at: d.at, details: d.details }, SYSTEM, agentFacts));
        else changed.push(this.raise(agentId, d, agentFacts));
      }
      return changed;
    });
  }

  private agentFacts(agentId: string): AgentFacts {
    const a = this.o.store.agents.getWithPosture(agentId);
    if (!a) throw new Error(`alert for unknown agent ${agentId}`);
    return { id: a.id, unitId: a.unitId, hostname: a.hostname, platform: a.platform, posture: a.posture as Posture | null };
  }

  private raise(agentId: string, d: RaiseDecision, facts: () => AgentFacts): Alert {
    const now = this.now().toISOString();
    const agent = facts();
    const severity = this.o.config.severities[d.kind] ?? d.severity;
    const alert: Alert = {
      id: 'alr_' + randomBytes(12).toString('base64url'),
      agentId,
      unitId: agent.unitId,
      kind: d.kind,
      key: d.key,
      severity,
      status: 'open',
      title: d.title,
      details: d.details,
      level: this.levelOf(agentId),
      occurrences: 1,
      firstSeenAt: d.at,
      lastSeenAt: d.at,
      createdAt: now,
      updatedAt: now,
      assignee: null,
      acknowledgedAt: null,
      acknowledgedBy: null,
      resolvedAt: null,
      resolvedBy: null,
      resolution: null,
      suppressedUntil: null,
      suppressReason: null,
      step: 1,
    };
    this.repo.insert(alert);
    this.repo.addHistory(alert.id, { at: now, action: 'raised', actor: SYSTEM.name, fromStatus: null, toStatus: 'open', details: { key: d.key } });
    this.o.forward?.(toForwardEvent(alert, agent, 'raised'));
    this.o.audit?.record({
      action: 'alert.raise',
      actor: { type: 'system', name: 'alert rules' },
      target: { type: 'alert', id: alert.id },
      unitIds: [alert.unitId],
      details: { kind: alert.kind, severity: alert.severity, agentId },
    });
    this.raisedTotal?.inc({ kind: alert.kind, severity: alert.severity });
    this.announce({ action: 'raised', alert });
    return alert;
  }

  /** One lifecycle step on a stored alert: update, history, forward, audit, announce. */
  private step(alert: Alert, action: LifecycleAction, actor: AlertActor, facts: () => AgentFacts): Alert {
    const t: Transition = transition(alert, action, { now: this.now(), actor: actor.name, maxSuppressHours: this.o.config.maxSuppressHours });
    this.repo.update(t.alert);
    const entry: AlertHistoryEntry = { at: t.alert.updatedAt, action: t.history.action, actor: actor.name, fromStatus: t.history.fromStatus, toStatus: t.history.toStatus, details: t.history.details };
    this.repo.addHistory(alert.id, entry);
    if (action.type === 'note') this.repo.addNote(alert.id, { at: t.alert.updatedAt, author: actor.name, text: action.text.trim() });
    if (t.forward) this.o.forward?.(toForwardEvent(t.alert, facts(), t.forward));
    const auditAction = t.history.action === 'auto_resolved' ? 'alert.auto_resolve' : `alert.${VERB[t.change]}`;
    this.o.audit?.record({
      action: auditAction,
      ...(actor === SYSTEM ? { actor: { type: 'system' as const, name: 'alert rules' } } : { by: actor.request }),
      target: { type: 'alert', id: alert.id },
      unitIds: [alert.unitId],
      details: { kind: alert.kind, from: t.history.fromStatus, to: t.history.toStatus, ...t.history.details },
    });
    this.announce({ action: t.change, alert: t.alert });
    return t.alert;
  }

  // --- actions by people (API) ---

  /** One alert the caller may see, with notes and history; absent and out of scope look the same. */
  get(id: string, scope: readonly string[]): { alert: Alert; notes: AlertNote[]; history: AlertHistoryEntry[] } {
    const alert = this.repo.get(id);
    if (!alert || !scope.includes(alert.unitId)) throw reject(404, 'unknown_alert', `no alert ${id}`);
    return { alert, notes: this.repo.notes(id), history: this.repo.history(id) };
  }

  list(q: AlertListQuery): { total: number; items: Alert[] } {
    return this.repo.list(q);
  }

  /** Acknowledge, assign, note, suppress or resolve one alert on behalf of a person. */
  act(id: string, action: LifecycleAction, actor: AlertActor, scope: readonly string[]): Alert {
    if (action.type === 'occur' || action.type === 'reopen' || (action.type === 'resolve' && action.auto)) {
      throw new Error(`${action.type} is done by the rules, not by people`);
    }
    if (action.type === 'assign' && action.assignee !== null) {
      const found = this.o.store.users.findByUsername(action.assignee);
      if (!found || found.user.disabled) throw reject(400, 'unknown_user', `no active user "${action.assignee}" to assign to`);
      if (found.user.role === 'auditor') throw reject(400, 'invalid_assignee', 'auditors are read-only and cannot be assigned alerts');
    }
    const result = this.o.store.transaction(() => {
      const alert = this.repo.get(id);
      if (!alert || !scope.includes(alert.unitId)) throw reject(404, 'unknown_alert', `no alert ${id}`);
      return this.step(alert, action, actor, () => this.agentFacts(alert.agentId));
    });
    return result;
  }

  /** Re-opens suppressions whose expiry has passed. Returns how many. */
  expireSuppressions(): number {
    const now = this.now();
    let n = 0;
    for (const a of this.repo.suppressionsExpiredBy(now.toISOString())) {
      this.o.store.transaction(() => {
        const current = this.repo.get(a.id);
        if (current?.status !== 'suppressed') return;
        this.step(current, { type: 'reopen', reason: `suppression expired at ${current.suppressedUntil}` }, SYSTEM, () => this.agentFacts(current.agentId));
        n++;
      });
    }
    return n;
  }

  // --- live feed: announce after commit ---

  private announce(change: AlertChange): void {
    this.pending.push(change);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // better-sqlite3 transactions are synchronous: by the time this runs, the transaction has committed or
    // rolled back. A rolled-back change is recognised because the stored row no longer reaches its step.
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    const changes = this.pending;
    this.pending = [];
    for (const c of changes) {
      let current: Alert | undefined;
      try {
        current = this.repo.get(c.alert.id);
      } catch {
        return; // the database was closed (shutdown): nobody is listening any more
      }
      if (!current || current.step < c.alert.step || current.occurrences < c.alert.occurrences) continue;
      this.o.announce({ action: c.action, alert: c.alert });
    }
  }
}

const VERB: Record<AlertChangeAction, string> = {
  raised: 'raise',
  occurred: 'occur',
  acknowledged: 'acknowledge',
  assigned: 'assign',
  noted: 'note',
  suppressed: 'suppress',
  reopened: 'reopen',
  resolved: 'resolve',
};
