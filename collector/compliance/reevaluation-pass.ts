// Evaluates every agent's stored posture again, a slice of the fleet at a time, so that each is evaluated at
// least once per period even when its posture never changes. Some checks depend on the time they are read at:
// "last patch installed at most N days ago" (as: ageDays), the AV signatures' age (policy/current-facts.ts). A
// machine whose posture stays the same sends only heartbeats, and without this pass such a finding would keep
// saying "pass" long after the limit went by. Unknown is not pass, and neither is a pass that has expired.
//
// The cost is spread evenly: a 3600th of the fleet per 3600th of the period (at 100,000 agents and the default
// six hours, 28 agents every 6 s; hourly, every second), one at a time. Each is read first by the page warmer
// when there is one (store/page-warmer.ts), so its evaluation does not wait on the disk on the event loop, and
// only one of the pass's reads is ever queued before a changed posture's (slices of a sixtieth of the fleet a
// minute, warmed all at once, put 1,667 reads ahead of them at 100,000 agents).
// Measured at 100,000 agents with an hourly period: 5-8 points of a core (BENCHMARKS.md, tenth session).
import type { Logger } from 'pino';

/** Why the whole fleet is being evaluated again. */
export type SweepReason = 'policy_changed' | 'attestations_changed';

/** A fleet sweep under way, for the dashboard and the metrics: at 100,000 agents one takes minutes. */
export interface SweepProgress {
  reason: SweepReason;
  startedAt: string;
  /** Agents visited so far in this sweep. */
  done: number;
  /** Agents it will visit, as counted when it began; raised if more are visited (first postures meanwhile). */
  total: number;
}

export interface ReevaluationPassOptions {
  /** Every agent is evaluated again at least this often (policy.reevaluateEverySec). */
  everyMs: number;
  /** The next agents not retired and with a posture after a rowid, in rowid order. */
  agentsAfter: (rowid: number, limit: number) => { rowid: number; id: string }[];
  /** The highest agent rowid: the fleet size the pace is set from. */
  maxRowid: () => number;
  /** About how many agents a sweep will visit (not retired, with a posture): its progress is told against it. */
  countActive: () => number;
  /** Evaluates one agent's stored posture again as of now, in a transaction of its own. */
  reevaluate: (agentId: string) => boolean;
  /** Reads the pages an evaluation will touch off the event loop; optional, failures are ignored. */
  warm?: (agentId: string) => Promise<unknown>;
  log: Logger;
}

/** Without a warmer: time spent evaluating per turn of the event loop before yielding to reports and API calls. */
const TURN_BUDGET_MS = 8;
/** How often a slice is taken: every second for a period of an hour, never more often. */
const tickMsFor = (everyMs: number) => Math.min(60_000, Math.max(1_000, Math.floor(everyMs / 3600)));

/** Agents read per step of a full sweep. */
const SWEEP_PAGE = 256;

export class ReevaluationPass {
  private cursor = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private sweeping: Promise<number> | undefined;
  private sweepWanted: SweepReason | undefined;
  private sweepProgress: SweepProgress | null = null;
  private stopped = false;
  private failuresLogged = false;
  readonly tickMs: number;

  constructor(private readonly o: ReevaluationPassOptions) {
    this.tickMs = tickMsFor(o.everyMs);
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.tickMs);
    this.timer.unref();
  }

  /** Whether stop() was called: a sweep that resolves after it did not reach every agent. */
  get isStopped(): boolean {
    return this.stopped;
  }

  /** Stops taking slices; a slice or sweep under way ends after the agent it is on. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await Promise.all([this.running, this.sweeping]);
  }

  /**
   * Evaluates every agent with a posture (the policy, a level or the attestations changed) the same way, beside
   * reports and API calls, instead of in one loop that held the event loop: 2-3 minutes at 100,000 agents. Resolves
   * with how many were evaluated, once a sweep that began after this call has ended: a sweep under way may
   * already have passed agents, so another follows it. The periodic slices wait meanwhile.
   */
  sweepAll(reason: SweepReason): Promise<number> {
    this.sweepWanted = reason;
    this.sweeping ??= this.sweeps().finally(() => {
      this.sweeping = undefined;
      this.sweepProgress = null;
    });
    return this.sweeping;
  }

  /** Resolves once the sweeps under way (and any asked for meanwhile) have ended: false if stop() ended them. */
  get sweepEnded(): Promise<boolean> | undefined {
    return this.sweeping?.then(() => !this.stopped);
  }

  /** The sweep under way, or null; a copy, so callers cannot move it. */
  get progress(): SweepProgress | null {
    return this.sweepProgress && { ...this.sweepProgress };
  }

  private async sweeps(): Promise<number> {
    await this.running;
    let done = 0;
    while (this.sweepWanted && !this.stopped) {
      const progress: SweepProgress = { reason: this.sweepWanted, startedAt: new Date().toISOString(), done: 0, total: this.o.countActive() };
      this.sweepProgress = progress;
      this.sweepWanted = undefined;
      done = 0;
      for (let after = 0; !this.stopped; ) {
        const agents = this.o.agentsAfter(after, SWEEP_PAGE);
        done += await this.evaluateEach(agents, progress);
        if (agents.length < SWEEP_PAGE) break;
        after = agents[agents.length - 1]!.rowid;
      }
    }
    return done;
  }

  /**
   * Evaluates the next slice: as many agents as the pace asks for (`quota`, by default the share of the fleet
   * one tick owes), from where the last slice ended, starting over after the last agent. Returns how many were
   * evaluated. A tick that finds the previous slice still running does nothing.
   */
  tick(quota = Math.ceil((this.o.maxRowid() * this.tickMs) / this.o.everyMs)): Promise<number> {
    if (this.running || this.sweeping || this.stopped || quota <= 0) return Promise.resolve(0);
    this.running = this.slice(quota).finally(() => (this.running = undefined));
    return this.running;
  }

  private async slice(quota: number): Promise<number> {
    const agents = this.o.agentsAfter(this.cursor, quota);
    this.cursor = agents.length < quota ? 0 : agents[agents.length - 1]!.rowid;
    return this.evaluateEach(agents);
  }

  /** One agent at a time: warmed first when there is a warmer, else in turns of at most TURN_BUDGET_MS. */
  private async evaluateEach(agents: { id: string }[], progress?: SweepProgress): Promise<number> {
    let done = 0;
    let turnStarted = performance.now();
    for (const a of agents) {
      if (this.stopped) break;
      if (this.o.warm) {
        // Only an optimisation: a failed read means the evaluation reads its pages itself.
        await this.o.warm(a.id).catch(() => undefined);
        if (this.stopped) break;
      } else if (performance.now() - turnStarted > TURN_BUDGET_MS) {
        await new Promise((r) => setImmediate(r));
        turnStarted = performance.now();
      }
      try {
        if (this.o.reevaluate(a.id)) done++;
      } catch (err) {
        // One agent's failure must not stop the fleet's; logged once, not once per agent and pass.
        if (!this.failuresLogged) this.o.log.error({ err, agentId: a.id }, 're-evaluation of an agent failed');
        this.failuresLogged = true;
      }
      if (progress) {
        progress.done++;
        // Agents whose first posture came during the sweep are visited too: never "101 of 100".
        progress.total = Math.max(progress.total, progress.done);
      }
    }
    return done;
  }
}
