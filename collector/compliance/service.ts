// Keeps findings current: evaluates an agent's posture against its effective level whenever the posture
// changes (inside the ingest transaction, so findings and posture commit together), and every agent again
// when the policy set changes. A broken policy edit is refused and the last good set stays in force.
import { watch, type FSWatcher } from 'chokidar';
import type { Logger } from 'pino';
import type { Posture } from '../../protocol/index.js';
import type { Store } from '../store/index.js';
import { evaluatePosture, loadPolicySet, PolicyLoadError, type Attestation, type PolicySet } from '../policy/index.js';
import type { FindingTransition } from './types.js';
import { auditLog } from '../audit/index.js';
import { ReadWorker } from '../store/read-worker.js';
import { controlCountsQuery, summaryByLevelQuery, toLevelSummaries, type ControlCount, type LevelSummary, type LevelSummaryRow } from '../store/compliance.js';

const TREND_REFRESH_MS = 60_000;
/**
 * A refresh after changes waits at least this many times the last aggregation's duration, so the whole-table
 * scan stays under ~2 % of a core: every minute for a department (milliseconds), every few minutes for a
 * province of 100,000 machines (seconds, which otherwise competed with ingest every minute).
 */
const TREND_REFRESH_COST_FACTOR = 50;

export interface ComplianceOptions {
  policyDir: string;
  packs: string[];
  overrides: Record<string, unknown>;
}

export class ComplianceService {
  private policy: PolicySet;
  private watcher: FSWatcher | undefined;
  private snapshotTimer: NodeJS.Timeout | undefined;
  private soonTimer: NodeJS.Timeout | undefined;
  private snapshotsOn = false;
  private snapshotRunning = false;
  /** How long the last trend aggregation took (ms). */
  private lastSnapshotMs = 0;
  /** Whole-table reads off the event loop (trend aggregates, /compliance summaries); absent for in-memory stores. */
  private readonly reads: ReadWorker | undefined;
  private attestations: (Attestation & { title: string })[];
  readonly transitionListeners: ((t: FindingTransition[]) => void)[] = [];

  constructor(
    private readonly store: Store,
    private readonly o: ComplianceOptions,
    private readonly log: Logger,
  ) {
    this.policy = this.load();
    this.attestations = store.compliance.listAttestations();
    this.reads = store.db.memory ? undefined : new ReadWorker(store.db.name);
  }

  get policySet(): PolicySet {
    return this.policy;
  }

  private load(): PolicySet {
    return loadPolicySet(this.o.policyDir, { packs: this.o.packs, overrides: this.o.overrides as never });
  }

  private attestationsFor(agentId: string, unitId: string): Attestation[] {
    const systems = this.store.compliance.systemsOfAgent(agentId);
    return this.attestations.filter((a) => {
      const s = a.scope ?? {};
      if (s.system) return systems.includes(s.system);
      if (s.unit) return s.unit === unitId;
      return true;
    });
  }

  /** Evaluates one agent and stores the result; call inside a transaction. Returns the status transitions. */
  evaluateAgent(agentId: string, unitId: string, posture: Posture | undefined, at = new Date()): FindingTransition[] {
    const level = this.store.compliance.effectiveLevel(agentId) ?? 1;
    const findings = evaluatePosture(this.policy, posture, { level, now: at, attestations: this.attestationsFor(agentId, unitId) });
    const transitions = this.store.compliance.applyEvaluation(agentId, level, findings, at.toISOString());
    if (transitions.length) {
      for (const l of this.transitionListeners) l(transitions);
      this.trendDirty();
    }
    return transitions;
  }

  /** Re-evaluates every agent (after a policy, level or attestation change), one transaction per agent. */
  reevaluateAll(): number {
    this.attestations = this.store.compliance.listAttestations();
    let n = 0;
    for (const id of this.store.compliance.activeAgentIds()) {
      const agent = this.store.agents.getWithPosture(id);
      if (!agent) continue;
      this.store.transaction(() => this.evaluateAgent(id, agent.unitId, agent.posture ?? undefined));
      n++;
    }
    return n;
  }

  /** Reloads the policy folder; on any problem keeps the current set and returns the error text. */
  reload(): string | null {
    try {
      const next = this.load();
      if (next.digest === this.policy.digest) return null;
      const previous = this.policy.digest;
      this.policy = next;
      const n = this.reevaluateAll();
      auditLog(this.store).record({
        action: 'policy.change',
        actor: { type: 'system', name: 'policy watcher' },
        details: { dir: this.o.policyDir, previousDigest: previous, digest: next.digest, agentsReevaluated: n },
      });
      this.log.info({ digest: next.digest, agents: n }, 'policy changed; findings re-evaluated');
      return null;
    } catch (err) {
      const text = err instanceof PolicyLoadError ? err.message : String(err);
      auditLog(this.store).record({
        action: 'policy.change',
        actor: { type: 'system', name: 'policy watcher' },
        outcome: 'failure',
        details: { dir: this.o.policyDir, reason: text.slice(0, 500), keptDigest: this.policy.digest },
      });
      this.log.error({ problems: text }, 'policy change refused; the last good policy set stays in force');
      return text;
    }
  }

  /**
   * The per-level machine verdicts and per-control counts for a unit scope. Both scan every current finding
   * (seconds at 100,000 agents), so they run on the read worker and never hold ingest; on the event loop only
   * for an in-memory store or if the worker is gone.
   */
  async summaries(unitIds: string[], level: number | undefined, log: Pick<Logger, 'error'> = this.log): Promise<{ levels: LevelSummary[]; controls: ControlCount[] }> {
    if (this.reads) {
      try {
        const [levelRows, controlRows] = await this.reads.query([summaryByLevelQuery(unitIds), controlCountsQuery(unitIds, level)]);
        return { levels: toLevelSummaries(levelRows as LevelSummaryRow[]), controls: controlRows as ControlCount[] };
      } catch (err) {
        log.error({ err }, 'read worker failed; compliance summary computed on the event loop');
      }
    }
    return { levels: this.store.compliance.summaryByLevel(unitIds), controls: this.store.compliance.controlCounts(unitIds, level) };
  }

  /**
   * Today's trend snapshot (UTC day), now and then every `everyMs`; earlier days stay as they were. The
   * aggregates are computed on a worker thread (store/trend-aggregator.ts) so they never hold the event loop.
   */
  startTrendSnapshots(everyMs = 3600_000): void {
    this.snapshotsOn = true;
    void this.takeSnapshot();
    this.snapshotTimer = setInterval(() => void this.takeSnapshot(), everyMs);
    this.snapshotTimer.unref();
  }

  private async takeSnapshot(): Promise<void> {
    clearTimeout(this.soonTimer);
    this.soonTimer = undefined;
    if (this.snapshotRunning) return;
    this.snapshotRunning = true;
    const started = performance.now();
    try {
      const day = new Date().toISOString().slice(0, 10);
      if (this.reads) {
        const d = await this.reads.trendDay();
        if (this.snapshotsOn) this.store.trend.replaceDay(day, d);
      } else this.store.trend.snapshot(day);
    } catch (err) {
      if (this.snapshotsOn) this.log.error({ err }, 'compliance trend snapshot failed');
    } finally {
      this.snapshotRunning = false;
      this.lastSnapshotMs = performance.now() - started;
    }
  }

  /**
   * Findings changed: refresh today's point within a minute rather than at the next hourly snapshot, so a new
   * installation (or a morning of fixes) shows in the trend without waiting. One refresh per minute at most.
   */
  private trendDirty(): void {
    if (!this.snapshotsOn || this.soonTimer) return;
    this.soonTimer = setTimeout(() => void this.takeSnapshot(), Math.max(TREND_REFRESH_MS, this.lastSnapshotMs * TREND_REFRESH_COST_FACTOR));
    this.soonTimer.unref();
  }

  watchPolicyDir(): void {
    let timer: NodeJS.Timeout | undefined;
    this.watcher = watch(this.o.policyDir, { ignoreInitial: true, awaitWriteFinish: { stabilityThreshold: 200, pollInterval: 50 } });
    this.watcher.on('all', () => {
      clearTimeout(timer);
      timer = setTimeout(() => this.reload(), 300);
    });
  }

  async close(): Promise<void> {
    this.snapshotsOn = false;
    clearInterval(this.snapshotTimer);
    clearTimeout(this.soonTimer);
    await this.reads?.close();
    await this.watcher?.close();
  }
}
