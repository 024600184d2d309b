// Keeps findings current: evaluates an agent's posture against its effective level whenever the posture
// changes (inside the ingest transaction, so findings and posture commit together), and every agent again
// when the policy set changes. A broken policy edit is refused and the last good set stays in force.
import { watch, type FSWatcher } from 'chokidar';
import type { Logger } from 'pino';
import type { Posture } from '../../protocol/index.js';
import type { Store } from '../store/index.js';
import { evaluatePosture, loadPolicySet, postureAsOf, PolicyLoadError, type Attestation, type PolicySet } from '../policy/index.js';
import type { FindingTransition } from './types.js';
import { auditLog } from '../audit/index.js';
import type { ControlCount, LevelSummary } from '../store/compliance.js';
import { ReevaluationPass, type SweepProgress, type SweepReason } from './reevaluation-pass.js';

const TREND_REFRESH_MS = 60_000;

export interface ComplianceOptions {
  policyDir: string;
  packs: string[];
  overrides: Record<string, unknown>;
  /** Every agent is evaluated again at least this often once startReevaluation() runs (policy.reevaluateEverySec). */
  reevaluateEveryMs: number;
  /** Reads an agent's pages off the event loop before it is evaluated again (the collector's page warmer). */
  warm?: (agentId: string) => Promise<unknown>;
}

export class ComplianceService {
  private policy: PolicySet;
  private watcher: FSWatcher | undefined;
  private snapshotTimer: NodeJS.Timeout | undefined;
  private soonTimer: NodeJS.Timeout | undefined;
  private snapshotsOn = false;
  private readonly reevaluation: ReevaluationPass;
  private attestations: (Attestation & { title: string })[];
  readonly transitionListeners: ((t: FindingTransition[]) => void)[] = [];

  constructor(
    private readonly store: Store,
    private readonly o: ComplianceOptions,
    private readonly log: Logger,
  ) {
    this.policy = this.load();
    this.attestations = store.compliance.listAttestations();
    this.reevaluation = new ReevaluationPass({
      everyMs: o.reevaluateEveryMs,
      agentsAfter: (rowid, limit) => store.compliance.activeAgentsAfter(rowid, limit),
      maxRowid: () => store.agents.maxRowid(),
      countActive: () => store.compliance.agentsWithFindings(),
      reevaluate: (id) => this.reevaluate(id),
      warm: o.warm,
      log,
    });
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
    const findings = evaluatePosture(this.policy, posture && postureAsOf(posture, at), { level, now: at, attestations: this.attestationsFor(agentId, unitId) });
    const transitions = this.store.compliance.applyEvaluation(agentId, level, findings, at.toISOString());
    if (transitions.length) {
      for (const l of this.transitionListeners) l(transitions);
      this.trendDirty();
    }
    return transitions;
  }

  /**
   * Re-evaluates every agent that has a posture (after a policy, level or attestation change), one transaction
   * per agent, in the background (reevaluation-pass.ts), so reports and API calls go on meanwhile. Resolves with
   * how many were evaluated.
   */
  reevaluateAll(reason: SweepReason): Promise<number> {
    this.attestations = this.store.compliance.listAttestations();
    return this.reevaluation.sweepAll(reason);
  }

  /** The fleet-wide re-evaluation under way, or null: until it ends, some findings are of the previous policy. */
  get reevaluationProgress(): SweepProgress | null {
    return this.reevaluation.progress;
  }

  /** When one runs: resolves once it has ended (true), or was stopped with the collector (false). */
  reevaluationEnded(): Promise<boolean> | undefined {
    return this.reevaluation.sweepEnded;
  }

  /**
   * At start: when the policy set differs from the one every agent was last evaluated against, evaluates them
   * all again, in the background (2-3 minutes at 100,000 agents, during which the collector would not have
   * answered when this ran before it listened).
   */
  reevaluateIfPolicyChangedSinceLastRun(): void {
    if (this.store.settings.evaluatedPolicyDigest() === this.policy.digest) return;
    this.log.info('policy set changed since the last run; re-evaluating every agent in the background');
    this.reevaluateForPolicy();
  }

  /**
   * Sweeps the fleet for the current policy set and records its digest once the sweep has reached every agent,
   * so a collector stopped before starts over at its next start, and one that finished does not sweep again.
   */
  private reevaluateForPolicy(): void {
    const digest = this.policy.digest;
    this.reevaluateAll('policy_changed').then(
      (n) => {
        if (this.reevaluation.isStopped) return;
        if (this.policy.digest === digest) this.store.settings.setEvaluatedPolicyDigest(digest);
        this.log.info({ digest, agents: n }, 'policy changed; findings re-evaluated');
      },
      (err: unknown) => this.log.error({ err }, 're-evaluation after a policy change failed'),
    );
  }

  /** Evaluates one agent's stored posture again as of `at`, in a transaction of its own; false if it is gone. */
  reevaluate(agentId: string, at = new Date()): boolean {
    const agent = this.store.agents.getWithPosture(agentId);
    if (!agent || agent.retiredAt) return false;
    this.store.transaction(() => this.evaluateAgent(agentId, agent.unitId, agent.posture ?? undefined, at));
    return true;
  }

  /** Reloads the policy folder; on any problem keeps the current set and returns the error text. */
  reload(): string | null {
    try {
      const next = this.load();
      if (next.digest === this.policy.digest) return null;
      const previous = this.policy.digest;
      this.policy = next;
      auditLog(this.store).record({
        action: 'policy.change',
        actor: { type: 'system', name: 'policy watcher' },
        details: { dir: this.o.policyDir, previousDigest: previous, digest: next.digest },
      });
      this.log.info({ digest: next.digest }, 'policy changed; re-evaluating every agent');
      this.reevaluateForPolicy();
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
   * The per-level machine verdicts and per-control counts for a unit scope, from the counts SQLite triggers keep
   * beside the findings (store/compliance-counts-schema.ts): a few hundred rows, milliseconds at any fleet size.
   */
  summaries(unitIds: string[], level: number | undefined): { levels: LevelSummary[]; controls: ControlCount[] } {
    return this.store.compliance.summaries(unitIds, level);
  }

  /**
   * Evaluates every agent's stored posture again at least every `reevaluateEveryMs` (reevaluation-pass.ts), so
   * checks that depend on the time (ages of patches and signatures) do not go stale on machines whose posture
   * stays the same.
   */
  startReevaluation(): void {
    this.reevaluation.start();
  }

  /** Today's trend snapshot (UTC day), now and then every `everyMs`; earlier days stay as they were. */
  startTrendSnapshots(everyMs = 3600_000): void {
    this.snapshotsOn = true;
    this.takeSnapshot();
    this.snapshotTimer = setInterval(() => this.takeSnapshot(), everyMs);
    this.snapshotTimer.unref();
  }

  private takeSnapshot(): void {
    clearTimeout(this.soonTimer);
    this.soonTimer = undefined;
    try {
      this.store.trend.snapshot(new Date().toISOString().slice(0, 10));
    } catch (err) {
      if (this.snapshotsOn) this.log.error({ err }, 'compliance trend snapshot failed');
    }
  }

  /**
   * Findings changed: refresh today's point within a minute rather than at the next hourly snapshot, so a new
   * installation (or a morning of fixes) shows in the trend without waiting. One refresh per minute at most.
   */
  private trendDirty(): void {
    if (!this.snapshotsOn || this.soonTimer) return;
    this.soonTimer = setTimeout(() => this.takeSnapshot(), TREND_REFRESH_MS);
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
    await this.reevaluation.stop();
    await this.watcher?.close();
  }
}
