// Wires the alerts room into a running collector with one call from startCollector: rules on every committed
// state change (reports, liveness timer, compliance transitions, enrollments), the SOC forwarder (its outbox
// in the same database and transactions, its metrics on the collector's registry), a sweep for expired
// suppressions and level-dependent timers, and the 'alert' event on the collector service for the live feed.
import os from 'node:os';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { CollectorService } from '../service.js';
import { changedNothing } from '../fleet/ingest.js';
import type { Store } from '../store/index.js';
import { auditLog } from '../audit/index.js';
import { DeliveryEngine, parseForwardConfig, SqliteForwardQueue } from '../forward/index.js';
import { VERSION } from '../version.js';
import { AlertService } from './service.js';
import { clockSkewRule, clonedAgentRule, levelTimerRule, livenessRule, sequenceGapRule } from './rules/agent-rules.js';
import { controlTransitionRule } from './rules/control-rules.js';
import { eventRules } from './rules/event-rules.js';
import { postureRules } from './rules/posture-rules.js';
import type { ActiveKeys, AlertDecision } from './types.js';
import { nextRowid, rowidPass, ROWS_PER_TURN } from '../rowid-pass.js';

const NO_ACTIVE_ALERTS: ActiveKeys = new Map();
/** Candidates the per-level offline timers check per turn of the event loop. */
const LEVEL_BATCH = 25;

export interface RunningAlerts {
  alerts: AlertService;
  engine: DeliveryEngine;
  close(): Promise<void>;
}

export function startAlerts(o: { store: Store; service: CollectorService; config: Config; logger: Logger }): RunningAlerts {
  const { store, service, config, logger } = o;
  const cfg = config.alerts;
  const log = logger.child({ room: 'alerts' });
  // A bad destination stops the start with a message naming it, rather than silently forwarding nowhere.
  const forward = parseForwardConfig(config.forward);
  const engine = new DeliveryEngine({
    queue: new SqliteForwardQueue(store.db),
    destinations: forward.destinations,
    registry: service.metrics.registry,
    producer: { vendor: 'soclite', product: 'soclite', productVersion: VERSION, collectorHostname: os.hostname() },
    logger: log,
  });
  service.forwardHealth = () => engine.health();
  const alerts = new AlertService({
    store,
    config: cfg,
    forward: (e) => engine.enqueue(e),
    audit: auditLog(store),
    policy: () => service.compliance?.policySet,
    announce: (change) => service.emit('alert', change),
    registry: service.metrics.registry,
  });
  service.alerts = alerts;

  // Findings: a high-severity control going pass -> fail (runs inside the ingest or re-evaluation transaction).
  service.compliance?.transitionListeners.push((transitions) => {
    const byAgent = new Map<string, AlertDecision[]>();
    const set = service.compliance.policySet;
    for (const t of transitions) {
      const c = set.byId[t.controlId];
      const decisions = controlTransitionRule(t, c && { severity: c.severity, title: c.title }, cfg.controlFailMinSeverity, alerts.activeKeys(t.agentId));
      if (decisions.length) byAgent.set(t.agentId, [...(byAgent.get(t.agentId) ?? []), ...decisions]);
    }
    for (const [agentId, decisions] of byAgent) alerts.apply(agentId, decisions);
  });

  // Reports: events, a changed posture, liveness back to online, lost reports, clock skew.
  service.addCommitHook((outcome) => {
    const agentId = outcome.agent.id;
    const at = new Date().toISOString();
    // A heartbeat or unchanged posture only clears liveness and clock-skew alerts (or raises on clock skew or
    // lost reports, which apply() deduplicates): with none of those active on the agent row, read in this
    // transaction, there is nothing to ask.
    const onlyClears = changedNothing(outcome);
    const active = onlyClears && outcome.agent.clearableAlerts === 0 ? NO_ACTIVE_ALERTS : alerts.activeKeys(agentId);
    const decisions: AlertDecision[] = [];
    if (outcome.newEvents?.length) decisions.push(...eventRules(outcome.newEvents));
    if (outcome.postureChanged) {
      const level = alerts.levelOf(agentId);
      decisions.push(
        ...postureRules(outcome.postureChanged.posture, {
          level,
          maxSignatureAgeHours: alerts.maxSignatureAgeHours(level),
          avRequiredFromLevel: cfg.avRequiredFromLevel,
          riskyPorts: cfg.riskyPorts,
          active,
          at,
        }),
      );
    }
    // Any accepted report but a goodbye proves the agent alive: liveness alerts clear (also those raised by a
    // stricter level timer while the fleet-wide state was still online); a goodbye explains the silence.
    if (outcome.kind === 'goodbye' && outcome.stateChange) decisions.push(...livenessRule({ ...outcome.stateChange, at }, active));
    else if (outcome.kind !== 'goodbye') decisions.push(...livenessRule({ from: outcome.agent.state, to: 'online', reason: 'report received', at }, active));
    if (outcome.gap > 0) decisions.push(...sequenceGapRule(outcome.gap, cfg.minSequenceGap, outcome.ack.seq, at));
    // The skew measured on this very report (the agent row holds the same value after the commit).
    decisions.push(...clockSkewRule(outcome.clockSkewMs, cfg.clockSkewAlertSec, active, at));
    alerts.apply(agentId, decisions);
  });

  // Liveness changes made by the timer (late, offline, missing), in the same transaction as the change.
  service.addStateHook((c) => {
    alerts.apply(c.agentId, livenessRule(c, alerts.activeKeys(c.agentId)));
  });

  // A new agent on hardware another active agent already holds: cloned or re-imaged.
  const onEnrolled = (e: { agentId: string }) => {
    try {
      const agent = store.agents.get(e.agentId);
      if (!agent) return;
      const others = store.agents.findActiveByHardwareId(agent.hardwareId);
      alerts.apply(agent.id, clonedAgentRule(agent, others, new Date().toISOString()));
    } catch (err) {
      log.error({ err, agentId: e.agentId }, 'clone check failed');
    }
  };
  service.on('enrolled', onEnrolled);

  const levelLimits = cfg.offlineAfterSecByLevel;
  let stopped = false;
  /**
   * The per-level offline timers, a range of rows per turn of the event loop (rowid-pass.ts). Only agents silent
   * for at least the shortest level limit and without an open agent_offline alert are read; each is then checked
   * against its own level's limit.
   */
  const levelTimerPass = async () => {
    const now = Date.now();
    const cutoff = new Date(now - Math.min(...Object.values(levelLimits)) * 1000).toISOString();
    await rowidPass(
      store.agents.maxRowid(),
      ROWS_PER_TURN,
      (from, to) => {
        const rows = store.agents.silentWithoutOfflineAlert(cutoff, { fromRowid: from, toRowid: to, limit: LEVEL_BATCH });
        for (const row of rows) {
          const level = alerts.levelOf(row.id);
          const decisions = levelTimerRule({ state: row.state, lastSeenAt: row.lastSeenAt, level }, levelLimits[String(level)], now, alerts.activeKeys(row.id));
          if (decisions.length) store.transaction(() => alerts.apply(row.id, decisions));
        }
        return nextRowid(rows, LEVEL_BATCH, to);
      },
      () => stopped,
    );
  };
  let passRunning = false;
  const sweep = () => {
    try {
      alerts.expireSuppressions();
    } catch (err) {
      log.error({ err }, 'alert sweep failed');
    }
    if (Object.keys(levelLimits).length === 0 || passRunning) return;
    passRunning = true;
    levelTimerPass()
      .catch((err: unknown) => log.error({ err }, 'level offline timers failed'))
      .finally(() => (passRunning = false));
  };
  const timer = setInterval(sweep, cfg.sweepSec * 1000);
  timer.unref();
  engine.start();
  log.info({ destinations: forward.destinations.map((d) => d.name) }, 'alerts and forwarder started');

  return {
    alerts,
    engine,
    async close() {
      clearInterval(timer);
      stopped = true;
      service.off('enrolled', onEnrolled);
      await engine.stop();
    },
  };
}
