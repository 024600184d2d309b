// The collector's service layer: what the collector does, independent of HTTP. Routes call these methods;
// other rooms (policy, alerts, live, forward) subscribe to the events it emits after each commit.
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { Report, EnrollRequest, AgentSettings, SessionOpenResponse } from '../protocol/index.js';
import type { Config } from './config/schema.js';
import type { Store } from './store/index.js';
import type { PageWarmer } from './store/page-warmer.js';
import { createMetrics, type CollectorMetrics } from './metrics.js';
import { enrollAgent } from './fleet/enrollment.js';
import { checkSequence, verifySessionOpening, verifySignedRequest, type SignedRequest, type VerifiedRequest } from './fleet/request-auth.js';
import { AgentSessions, openAgentSession } from './fleet/sessions.js';
import { ingestReport, type IngestOutcome, type IngestReport } from './fleet/ingest.js';
import { deferredPosture, parseReportHere, reportTextError } from './fleet/report-text.js';
import { nextLivenessState } from './fleet/liveness.js';
import { DomainError } from './fleet/errors.js';
import { SignatureVerifier } from './fleet/signature-verifier.js';
import type { LivenessState } from './fleet/types.js';
import type { ComplianceService } from './compliance/service.js';
import type { AlertService } from './alerts/service.js';
import type { DestinationHealth } from './forward/delivery.js';
import type { AlertChange } from './alerts/types.js';
import { nextRowid, rowidPass, ROWS_PER_TURN } from './rowid-pass.js';

export interface CollectorEvents {
  ingested: [IngestOutcome];
  stateChanged: [{ agentId: string; from: LivenessState; to: LivenessState; reason: string }];
  /** ip: the address the enrollment came from. */
  enrolled: [{ agentId: string; unitId: string; hostname: string; ip: string }];
  /** An alert was raised, counted, acknowledged, assigned, noted, suppressed, reopened or resolved (after commit). */
  alert: [AlertChange];
}

export type CommitHook = (outcome: IngestOutcome) => void;

/** A report failed after it had written: its group is run again with a savepoint per report (commitGroup). */
class FailedAfterWriting extends Error {
  constructor(cause: unknown) {
    super('a report failed after writing', { cause });
  }
}

interface PendingReport {
  signed: SignedRequest;
  /** Undefined until the worker has read a large body (see ingestQueued). */
  report: IngestReport | undefined;
  receivedAtMs: number;
  /** Set when the signature check finished: the verified request, or why it was refused. */
  verified: { ok: VerifiedRequest } | { err: unknown } | undefined;
  resolve: (o: IngestOutcome) => void;
  reject: (e: unknown) => void;
  /** A changed posture whose pages are being read on the page warmer (store/page-warmer.ts): not committed yet. */
  warming?: boolean;
}

/** Reports committed together at most; a larger burst is split over following turns of the event loop. */
const MAX_GROUP_COMMIT = 256;
/**
 * Slow-lane reports (changed postures, events) per transaction, per turn at most, and the time budget per turn.
 * One per transaction: a changed posture of a large fleet costs 4-10 ms, so the budget is checked after each.
 */
const SLOW_CHUNK = 1;
const MAX_SLOW_GROUP = 64;
const SLOW_LANE_BUDGET_MS = 8;
/** Liveness changes per background pass, and per transaction within it. */
// Each change also runs the alert rules and writes audit and outbox records (~1 ms): 250 at once held the event
// loop for ~300 ms in the 100,000-agent benchmark.
const LIVENESS_BATCH = 25;
const LIVENESS_CHUNK = 25;

export class CollectorService extends EventEmitter<CollectorEvents> {
  readonly metrics: CollectorMetrics;
  /** Set by the server at start-up: policy evaluation and findings. */
  compliance!: ComplianceService;
  /** Set by the server at start-up (startAlerts): alert rules, lifecycle and the SOC forwarder. */
  alerts?: AlertService;
  /** Set by the alerts room at start-up: the SOC forwarder's per-destination health. */
  forwardHealth?: () => DestinationHealth[];
  private livenessTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly verifier: SignatureVerifier;
  /** When this collector started watching: an online agent's silence is not counted from before it. */
  private readonly startedAtMs = Date.now();
  private readonly commitHooks: CommitHook[] = [];
  private pendingReports: PendingReport[] = [];
  /** Large bodies waiting for their agents' stored posture hashes (readStoredHashes). */
  private awaitingStoredHash: PendingReport[] = [];
  private flushScheduled = false;
  /** Costly reports waiting for their own small commits (see flushReports), and how many per agent. */
  private slowLane: PendingReport[] = [];
  private readonly slowAgents = new Map<string, number>();
  private slowScheduled = false;
  /** Reads a changed posture's pages off the event loop before its commit; absent for in-memory stores. */
  pageWarmer?: PageWarmer;
  private warmFailuresLogged = false;
  private readonly stateHooks: ((c: { agentId: string; from: LivenessState; to: LivenessState; reason: string; at: string }) => void)[] = [];

  /**
   * Registers work that must commit atomically with each accepted report (findings, alerts, the forwarder's
   * outbox). Hooks run synchronously inside the ingest transaction; an exception rolls the report back.
   */
  addCommitHook(hook: CommitHook): void {
    this.commitHooks.push(hook);
  }

  /** Registers work that must commit atomically with a liveness change made by the timer (not by a report). */
  addStateHook(hook: (c: { agentId: string; from: LivenessState; to: LivenessState; reason: string; at: string }) => void): void {
    this.stateHooks.push(hook);
  }

  constructor(
    readonly store: Store,
    readonly config: Config,
    readonly log: Logger,
  ) {
    super();
    this.verifier = new SignatureVerifier((err) => log.error({ err }, 'signature worker lost: verifying on the event loop from now on'));
    this.metrics = createMetrics(() => store.agents.countByState());
    // A retired agent's sessions go at once (its reports are refused at the sequence stage in any case).
    this.on('stateChanged', (c) => {
      if (c.to === 'retired') this.sessions.dropAgent(c.agentId);
    });
  }

  get agentSettings(): AgentSettings {
    const a = this.config.agents;
    return { heartbeatSec: a.heartbeatSec, scanSec: a.scanSec, maxClockSkewSec: a.maxClockSkewSec };
  }

  enroll(req: EnrollRequest, remoteAddress: string) {
    const res = enrollAgent(this.store, req, this.agentSettings);
    this.metrics.enrollments.inc();
    this.log.info({ agentId: res.agentId, unit: res.unit, from: remoteAddress }, 'agent enrolled');
    this.emit('enrolled', { agentId: res.agentId, unitId: res.unit, hostname: req.hostname, ip: remoteAddress });
    return res;
  }

  /** Agents' session MAC keys (fleet/sessions.ts), in memory only. Not readonly: tests swap in a fake clock. */
  sessions = new AgentSessions();

  /** POST /agents/:id/sessions: checks the Ed25519-signed opening (no sequence used), then agrees a session key. */
  async openSession(signed: SignedRequest, agentX25519B64: string): Promise<SessionOpenResponse> {
    const agentId = await verifySessionOpening(this.store, this.verifier, signed, this.config.agents.maxClockSkewSec * 1000);
    return openAgentSession(this.sessions, agentId, agentX25519B64);
  }

  /**
   * Group commit: reports are first signature-checked (off the event loop, see fleet/request-auth.ts), then
   * the ones ready in the same turn of the event loop are committed in one SQLite transaction, each inside its
   * own savepoint, so a refused report rolls back alone while the rest share one commit. Reports are committed
   * in arrival order, and each caller's promise settles only after that commit, so an acknowledgement still
   * means "stored". report is undefined when the route left a large body unparsed (readThenVerify).
   */
  ingestQueued(signed: SignedRequest, report: Report | undefined, receivedAtMs: number): Promise<IngestOutcome> {
    return new Promise((resolve, reject) => {
      const item: PendingReport = { signed, report, receivedAtMs, verified: undefined, resolve, reject };
      this.pendingReports.push(item);
      if (report === undefined) this.readThenVerify(item);
      else this.verify(item);
    });
  }

  /**
   * A body left unparsed (over DEFERRED_REPORT_BYTES, see http/raw-json.ts) is read on the worker first, then
   * verified like any report: as with fastify's parser, a malformed or invalid body is refused before the
   * signature is looked at. A posture report keeps only what ingest needs and its hash (the one the worker
   * took, or the claimed one when that is the stored hash: fleet/report-text.ts); any other kind is parsed
   * again here.
   */
  private readThenVerify(item: PendingReport): void {
    this.awaitingStoredHash.push(item);
    if (this.awaitingStoredHash.length === 1) setImmediate(() => this.readStoredHashes());
  }

  /**
   * The agents' stored posture hashes (none for an unknown agent) as of now, for the bodies that arrived in
   * this turn of the event loop: a posture claiming its agent's stored hash is not hashed again. One read
   * transaction for all of them, as for the group's sort (flushReports): a read on its own takes and releases a
   * WAL read lock with its system calls, 25 µs of the event loop's 180 per unchanged posture in the latest
   * profile, against 2-3 µs inside a transaction.
   */
  private readStoredHashes(): void {
    const items = this.awaitingStoredHash;
    this.awaitingStoredHash = [];
    let hashes: (string | null | undefined)[];
    try {
      hashes = this.store.snapshot(() => items.map((it) => this.store.agents.postureHashOf(it.signed.agentIdInPath)));
    } catch (err) {
      // Like every refusal, it must settle the reports: one left unverified would hold back its agent's next.
      for (const it of items) this.markVerified(it, { err });
      return;
    }
    items.forEach((it, i) => this.readOnWorker(it, hashes[i]));
    // Posted now, not after the next turn (see SignatureVerifier.flush).
    this.verifier.flush();
  }

  private readOnWorker(item: PendingReport, storedHash: string | null | undefined): void {
    void this.verifier.readReport(item.signed.rawBody, storedHash).then((read) => {
      if ('error' in read) return this.markVerified(item, { err: reportTextError(read) });
      if (read.kind === 'posture') {
        item.report = deferredPosture(read, item.signed.rawBody);
        item.signed.isPosture = false;
        return this.verify(item, read.computedHash ?? read.postureHash);
      }
      try {
        item.report = parseReportHere(item.signed.rawBody);
      } catch (err) {
        return this.markVerified(item, { err });
      }
      item.signed.isPosture = item.report.kind === 'posture';
      this.verify(item);
    });
  }

  /** Starts the signature check of a report (fleet/request-auth.ts); postureHash: one the worker already took. */
  private verify(item: PendingReport, postureHash?: string): void {
    const ok = (v: VerifiedRequest) => this.markVerified(item, { ok: postureHash === undefined ? v : { ...v, postureHash } });
    let verified: VerifiedRequest | Promise<VerifiedRequest>;
    try {
      verified = verifySignedRequest(this.store, this.verifier, item.signed);
    } catch (err) {
      this.markVerified(item, { err });
      return;
    }
    if (verified instanceof Promise) verified.then(ok, (err: unknown) => this.markVerified(item, { err }));
    else ok(verified);
  }

  private markVerified(item: PendingReport, verdict: NonNullable<PendingReport['verified']>): void {
    item.verified = verdict;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flushReports());
    }
  }

  private flushReports(): void {
    this.flushScheduled = false;
    const { items, full } = this.takeVerified();
    if (items.length === 0) return;
    // A full group may have left verified reports behind; the others wait for their own agent's earlier
    // report, whose verification schedules the next flush.
    if (full) {
      this.flushScheduled = true;
      setImmediate(() => this.flushReports());
    }
    // Heartbeats and unchanged postures (almost every report) commit now, together. A report that costs
    // milliseconds (a changed posture is evaluated against every policy; events run alert rules) joins the
    // slow lane, committed in small groups over the following turns, so it never holds a group of cheap
    // reports behind it. An agent with a report in the slow lane has its later reports queued behind it there:
    // one agent's reports still commit in the order sent.
    const cheap: PendingReport[] = [];
    const slow: PendingReport[] = [];
    const slowHere = new Set<string>();
    const sort = () => {
      for (const it of items) {
        const agentId = it.signed.agentIdInPath;
        if (this.slowAgents.has(agentId) || slowHere.has(agentId) || this.isSlow(it)) {
          slow.push(it);
          slowHere.add(agentId);
        } else cheap.push(it);
      }
    };
    // A posture is sorted by reading its agent's stored hash. Outside a transaction each read opens and closes
    // a read transaction of its own on the WAL: 9.6 µs of an unchanged posture's 180 (profiled). One
    // transaction around the group's reads pays that once.
    try {
      if (items.some((it) => it.report?.kind === 'posture')) this.store.snapshot(sort);
      else sort();
    } catch (err) {
      // The database refused the reads (SQLITE_BUSY after the busy timeout, seen in a profiled 100,000-agent
      // run): the group is refused as a failed commit is, and the agents send again. Thrown from here it
      // escaped the event loop's callback and stopped the collector.
      this.log.error({ err, reports: items.length }, 'sorting reports for their commit failed; refused them');
      for (const it of items) it.reject(err);
      return;
    }
    for (const it of slow) {
      const agentId = it.signed.agentIdInPath;
      this.slowLane.push(it);
      this.slowAgents.set(agentId, (this.slowAgents.get(agentId) ?? 0) + 1);
      if (it.report?.kind === 'posture' && it.verified && 'ok' in it.verified) this.warmPages(it);
    }
    if (cheap.length) this.commitGroup(cheap);
    this.scheduleSlowLane();
  }

  /** Has the page warmer read what this report's commit will touch; the slow lane waits for it (flushSlowLane). */
  private warmPages(it: PendingReport): void {
    const warmer = this.pageWarmer;
    if (!warmer || warmer.stopped) return;
    it.warming = true;
    warmer
      .warm(it.signed.agentIdInPath)
      .catch((err: unknown) => {
        // Only an optimisation: the commit goes ahead, reading from the disk itself. Said once, not per report.
        if (!this.warmFailuresLogged && !warmer.stopped) this.log.warn({ err }, 'warming a posture\'s pages failed; commits read them themselves');
        this.warmFailuresLogged = true;
      })
      .finally(() => {
        it.warming = false;
        this.scheduleSlowLane();
      });
  }

  private scheduleSlowLane(): void {
    if (this.slowLane.length && !this.slowLane[0]!.warming && !this.slowScheduled) {
      this.slowScheduled = true;
      setImmediate(() => this.flushSlowLane());
    }
  }

  /**
   * Takes the verified reports from the queue, in arrival order, at most MAX_GROUP_COMMIT. A report still being
   * verified (a posture hashed on the worker, an Ed25519 signature) holds back only the later reports of its own
   * agent, so each agent's sequence numbers are committed in the order sent. It used to hold back every report
   * behind it: when the worker thread waited for a CPU, the whole fleet's heartbeats waited with it.
   */
  private takeVerified(): { items: PendingReport[]; full: boolean } {
    const taken: PendingReport[] = [];
    const left: PendingReport[] = [];
    let held: Set<string> | undefined;
    for (const it of this.pendingReports) {
      const agentId = it.signed.agentIdInPath;
      if (it.verified && taken.length < MAX_GROUP_COMMIT && !held?.has(agentId)) taken.push(it);
      else {
        if (!it.verified) (held ??= new Set()).add(agentId);
        left.push(it);
      }
    }
    if (taken.length) this.pendingReports = left;
    return { items: taken, full: taken.length === MAX_GROUP_COMMIT };
  }

  /** Whether a verified report is one of the costly kinds (see flushReports). Refused ones are cheap. */
  private isSlow(it: PendingReport): boolean {
    const verdict = it.verified!;
    if ('err' in verdict) return false;
    switch (it.report!.kind) {
      case 'heartbeat':
        return false;
      case 'posture': {
        const hash = verdict.ok.postureHash;
        return hash === undefined || hash !== this.store.agents.postureHashOf(verdict.ok.agentId);
      }
      default:
        return true;
    }
  }

  /** Commits slow-lane reports for up to SLOW_LANE_BUDGET_MS per turn of the event loop. */
  private flushSlowLane(): void {
    this.slowScheduled = false;
    const started = performance.now();
    let n = 0;
    // In arrival order, up to the first report whose pages are still being read: its commit would wait on the
    // disk here, and the reports behind it may be its own agent's later ones.
    const group: PendingReport[] = [];
    while (n < this.slowLane.length && n < MAX_SLOW_GROUP && !this.slowLane[n]!.warming) group.push(this.slowLane[n++]!);
    this.slowLane.splice(0, n);
    // Cost is known only once committed: take one, then more while the first ones were quick.
    for (let i = 0; i < group.length; i += SLOW_CHUNK) {
      const chunk = group.slice(i, i + SLOW_CHUNK);
      if (i > 0 && performance.now() - started > SLOW_LANE_BUDGET_MS) {
        this.slowLane.unshift(...group.slice(i));
        break;
      }
      this.commitGroup(chunk);
      for (const it of chunk) {
        const id = it.signed.agentIdInPath;
        const left = (this.slowAgents.get(id) ?? 1) - 1;
        if (left > 0) this.slowAgents.set(id, left);
        else this.slowAgents.delete(id);
      }
    }
    this.scheduleSlowLane();
  }

  /**
   * One SQLite transaction for the group; every caller's promise settles only after the commit. A refused
   * report must leave nothing behind while the rest of its group commits. Almost every refusal (replayed
   * sequence, clock skew, a body that does not match its signed headers) happens before the report's first
   * write, so the group first runs without a savepoint per report (two statements each). If a report fails
   * after writing (an internal error: rare), the whole transaction rolls back and the group runs again with a
   * savepoint per report, so that report rolls back alone.
   */
  private commitGroup(items: PendingReport[]): void {
    let results: ({ ok: IngestOutcome } | { err: unknown })[];
    try {
      results = this.runGroup(items, false);
    } catch (err) {
      if (!(err instanceof FailedAfterWriting) || items.length === 1) {
        const cause = err instanceof FailedAfterWriting ? err.cause : err;
        for (const it of items) it.reject(cause);
        return;
      }
      try {
        results = this.runGroup(items, true);
      } catch (err2) {
        for (const it of items) it.reject(err2);
        return;
      }
    }
    results.forEach((r, i) => {
      const it = items[i]!;
      if ('ok' in r) {
        this.afterCommit(r.ok, it.receivedAtMs);
        it.resolve(r.ok);
      } else it.reject(r.err);
    });
  }

  private runGroup(items: PendingReport[], savepoints: boolean): ({ ok: IngestOutcome } | { err: unknown })[] {
    const results: ({ ok: IngestOutcome } | { err: unknown })[] = [];
    this.store.transaction(() => {
      for (const it of items) {
        const verdict = it.verified!;
        if ('err' in verdict) {
          results.push(verdict);
          continue;
        }
        const progress = { wrote: false };
        try {
          // better-sqlite3 runs a nested transaction as a savepoint: a throw undoes this report only.
          const ingest = () => this.ingestWithinTransaction(verdict.ok, it.report!, it.receivedAtMs, progress);
          results.push({ ok: savepoints ? this.store.transaction(ingest) : ingest() });
        } catch (err) {
          if (!savepoints && progress.wrote) throw new FailedAfterWriting(err);
          results.push({ err });
        }
      }
    });
    return results;
  }

  private ingestWithinTransaction(verified: VerifiedRequest, report: IngestReport, receivedAtMs: number, progress: { wrote: boolean }): IngestOutcome {
    const auth = checkSequence(this.store, verified, this.config.agents.maxClockSkewSec * 1000, receivedAtMs);
    return ingestReport(
      this.store,
      auth,
      report,
      this.agentSettings,
      new Date(),
      this.runCommitHooks,
      progress,
    );
  }

  /** Made once, not per report. */
  private readonly runCommitHooks = (o: IngestOutcome): void => {
    for (const hook of this.commitHooks) hook(o);
  };

  private afterCommit(outcome: IngestOutcome, receivedAtMs: number): void {
    this.metrics.reportsIngested.inc({ kind: outcome.kind });
    this.metrics.ingestDuration.observe({ kind: outcome.kind }, (Date.now() - receivedAtMs) / 1000);
    if (outcome.gap > 0) this.log.warn({ agentId: outcome.agent.id, gap: outcome.gap }, 'sequence gap: reports lost between agent and collector');
    if (outcome.stateChange) this.emit('stateChanged', { agentId: outcome.agent.id, ...outcome.stateChange });
    this.emit('ingested', outcome);
  }

  /**
   * Moves silent agents along online -> late -> offline -> missing. Safe to call at any time. At most `limit`
   * agents change per call, committed in small transactions. Reads the whole table in one go: the background
   * pass (runLivenessPass) goes a range of rows per turn of the event loop instead.
   */
  checkLiveness(now = Date.now(), limit = Infinity): number {
    return this.livenessStep(now, 0, this.store.agents.maxRowid() + 1, limit).changed;
  }

  /**
   * One step of a liveness pass over rowids [fromRowid, toRowid): the silent agents due for their state's next
   * timer, at most `limit` of them, each change committed with its hooks (alerts, audit, outbox), LIVENESS_CHUNK
   * per transaction. Returns how many changed and the rowid the pass continues from.
   */
  private livenessStep(now: number, fromRowid: number, toRowid: number, limit: number): { changed: number; next: number } {
    const at = new Date(now).toISOString();
    const rows = this.store.agents.dueForLiveness(now, this.config.agents, this.startedAtMs, { fromRowid, toRowid, limit });
    const changes: { id: string; from: LivenessState; to: LivenessState; reason: string }[] = [];
    for (const row of rows) {
      const next = nextLivenessState(row.state, row.lastSeenAt, now, this.config.agents, this.startedAtMs);
      if (!next || next.state === 'online') continue; // only a report brings an agent back online
      changes.push({ id: row.id, from: row.state, to: next.state, reason: next.reason });
    }
    for (let i = 0; i < changes.length; i += LIVENESS_CHUNK) {
      const chunk = changes.slice(i, i + LIVENESS_CHUNK);
      this.store.transaction(() => {
        for (const c of chunk) {
          this.store.agents.setState(c.id, c.to, c.reason, at);
          for (const hook of this.stateHooks) hook({ agentId: c.id, from: c.from, to: c.to, reason: c.reason, at });
        }
      });
      for (const c of chunk) this.emit('stateChanged', { agentId: c.id, from: c.from, to: c.to, reason: c.reason });
    }
    return { changed: changes.length, next: nextRowid(rows, limit, toRowid) };
  }

  /**
   * One pass over the agents: `scanRows` rows and at most LIVENESS_BATCH changes per turn of the event loop, so
   * neither a large fleet nor a large outage holds reports and API calls behind it (a whole-table read took
   * 85-345 ms at 100,000 agents). Agents enrolled during a pass are seen by the next one. Resolves with the
   * number of agents that changed state.
   */
  async runLivenessPass(scanRows = ROWS_PER_TURN): Promise<number> {
    let changed = 0;
    await rowidPass(
      this.store.agents.maxRowid(),
      scanRows,
      (from, to) => {
        const r = this.livenessStep(Date.now(), from, to, LIVENESS_BATCH);
        changed += r.changed;
        return r.next;
      },
      () => this.stopped,
    );
    return changed;
  }

  /** A liveness pass every livenessCheckSec (the next waits for the previous one to finish). */
  startBackgroundWork(): void {
    let running = false;
    this.livenessTimer = setInterval(() => {
      if (running) return;
      running = true;
      this.runLivenessPass()
        .catch((err: unknown) => this.log.error({ err }, 'liveness check failed'))
        .finally(() => (running = false));
    }, this.config.agents.livenessCheckSec * 1000);
    this.livenessTimer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.livenessTimer) clearInterval(this.livenessTimer);
    void this.verifier.close();
  }

  countRejection(err: unknown, code: string): void {
    this.metrics.rejected.inc({ reason: err instanceof DomainError ? err.code : code });
  }
}
