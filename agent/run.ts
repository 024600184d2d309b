// The agent's main loop: scan on a jittered timer, queue a posture when it changed and a heartbeat otherwise,
// drain the outbox in order with exponential backoff, and say goodbye on shutdown.
import { randomBytes } from 'node:crypto';
// Straight from the modules that hold code: protocol/index.js would also load every schema, which the agent
// never validates against at run time (measured: ~9 MB of RSS).
import { postureHash } from '../protocol/canonical.js';
import type { AgentSettings, Posture, ReportAck } from '../protocol/index.js';
import { Outbox, type OutboxLimits } from './outbox/outbox.js';
import { loadIdentity, type LoadedIdentity } from './transport/identity.js';
import { CollectorError } from './transport/client.js';
import { ReportSender } from './transport/report-sender.js';
import { backoffDelay } from './transport/backoff.js';
import type { AgentEvent } from '../protocol/index.js';
import { jitter } from './timing.js';

/** The few logger calls the runner makes: a pino logger fits, and so does the agent's own line logger. */
type LogFn = (fields: object, msg: string) => void;
export interface AgentLog {
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}

export interface AgentRunOptions {
  stateDir: string;
  version: string;
  log: AgentLog;
  scan: (ctx: { agentId: string; version: string; seq: number }) => Promise<Posture>;
  outboxLimits?: OutboxLimits;
  /** Critical files to watch and AV detection logs to follow; none when absent. */
  watch?: { fimPaths: string[]; clamavLogs: string[] };
}

export class AgentRunner {
  private readonly id: LoadedIdentity;
  private readonly outbox: Outbox;
  private settings: AgentSettings;
  private lastHash: string | null = null;
  private lastPosture: Posture | null = null;
  private scanCount = 0;
  private failures = 0;
  private timers: NodeJS.Timeout[] = [];
  private flushing: Promise<void> | null = null;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private watchers: { close(): Promise<void> }[] = [];
  private readonly sender: ReportSender;

  constructor(private readonly o: AgentRunOptions) {
    this.id = loadIdentity(o.stateDir);
    this.outbox = new Outbox(o.stateDir, o.outboxLimits);
    this.settings = this.id.settings;
    this.sender = new ReportSender({ serverUrl: this.id.serverUrl, caPem: this.id.caPem }, this.id.agentId, this.id.privateKey);
    // A goodbye left from a previous run that never reached the collector is stale: we are running again.
    this.outbox.discardKind('goodbye');
  }

  get agentId(): string {
    return this.id.agentId;
  }

  async start(): Promise<void> {
    this.o.log.info({ agentId: this.id.agentId, server: this.id.serverUrl, outbox: this.outbox.stats() }, 'agent starting');
    await this.startWatchers();
    await this.scanOnce();
    this.scheduleScan();
    this.scheduleHeartbeat();
  }

  /** Detections and integrity changes go into the outbox at once, ahead of postures and heartbeats. */
  private sendEvents(events: AgentEvent[]): void {
    if (!events.length || this.stopped) return;
    this.outbox.enqueue('events', { kind: 'events', events });
    this.kick();
  }

  private async startWatchers(): Promise<void> {
    const w = this.o.watch;
    if (!w) return;
    const onError = (what: string) => (err: unknown) => this.o.log.warn({ err: err instanceof Error ? err.message : String(err) }, `${what} watcher error`);
    // The watchers (and chokidar under them) are loaded only when there is something to watch.
    if (w.fimPaths.length) {
      const { FileIntegrityWatcher } = await import('./watch/file-integrity.js');
      const fim = new FileIntegrityWatcher({ paths: w.fimPaths, stateDir: this.o.stateDir, onChange: (e) => this.sendEvents([e]), onError: onError('file integrity') });
      await fim.start();
      this.watchers.push(fim);
    }
    const tailing = w.clamavLogs.length ? { ...(await import('./watch/log-tail.js')), ...(await import('./watch/detections.js')) } : undefined;
    for (const log of w.clamavLogs) {
      const { LogTailer, clamavDetectionEvents } = tailing!;
      const tail = new LogTailer({
        path: log,
        stateDir: this.o.stateDir,
        onLines: (lines, inode) => this.sendEvents(clamavDetectionEvents(lines, log, inode)),
        onError: onError('ClamAV log'),
      });
      await tail.start();
      this.watchers.push(tail);
    }
  }

  private scheduleScan(): void {
    const t = setTimeout(async () => {
      await this.scanOnce();
      if (!this.stopped) this.scheduleScan();
    }, jitter(this.settings.scanSec * 1000));
    this.timers.push(t);
  }

  private scheduleHeartbeat(): void {
    const t = setTimeout(() => {
      if (this.stopped) return;
      this.outbox.enqueue('heartbeat', { kind: 'heartbeat', postureHash: this.lastHash, uptimeSec: Math.round(process.uptime()) });
      this.kick();
      this.scheduleHeartbeat();
    }, jitter(this.settings.heartbeatSec * 1000));
    this.timers.push(t);
  }

  async scanOnce(force = false): Promise<void> {
    try {
      const posture = await this.o.scan({ agentId: this.id.agentId, version: this.o.version, seq: ++this.scanCount });
      // The agent stopped while this scan ran; the goodbye is the last word.
      if (this.stopped) return;
      const hash = postureHash(posture);
      this.lastPosture = posture;
      if (force || hash !== this.lastHash) {
        this.outbox.enqueue('posture', { kind: 'posture', postureHash: hash, posture });
        this.lastHash = hash;
      }
    } catch (err) {
      if (this.stopped) return;
      this.o.log.error({ err }, 'scan failed');
    }
    this.kick();
  }

  /** Starts draining the outbox unless a drain is already running or waiting for its backoff. */
  kick(): void {
    if (this.flushing || this.retryTimer) return;
    this.flushing = this.drain().finally(() => {
      this.flushing = null;
    });
  }

  /** Sends until the outbox is empty or the collector cannot be reached. Returns true when empty. */
  private async drain(deadline = Infinity): Promise<void> {
    const dropped = this.outbox.takeDropped();
    if (dropped) {
      this.outbox.enqueue('events', {
        kind: 'events',
        events: [
          {
            id: randomBytes(12).toString('base64url'),
            type: 'outbox_gap',
            at: new Date().toISOString(),
            data: {
              dropped: dropped.count,
              kinds: dropped.kinds,
              ...(dropped.oldest ? { oldestDroppedAt: new Date(dropped.oldest).toISOString() } : {}),
              reason: 'outbox over its size or age limit while the collector was unreachable',
            },
          },
        ],
      });
    }
    for (let msg = this.outbox.next(); msg; msg = this.outbox.next()) {
      if (Date.now() > deadline) return;
      const body = JSON.stringify({ ...msg.payload, seq: msg.seq });
      try {
        const ack = await this.sender.send(msg.seq, body);
        this.outbox.delivered(msg.file);
        this.afterAck(ack);
        this.failures = 0;
      } catch (err) {
        if (err instanceof CollectorError && err.code === 'already_accepted') {
          this.outbox.delivered(msg.file);
          continue;
        }
        if (err instanceof CollectorError && err.code === 'replayed_sequence' && err.lastSeq !== undefined) {
          this.o.log.warn({ lastSeq: err.lastSeq }, 'collector is ahead of our sequence; continuing after it');
          this.outbox.resync(err.lastSeq);
          continue;
        }
        if (err instanceof CollectorError && [400, 413, 415, 422].includes(err.status)) {
          this.o.log.error({ code: err.code, message: err.message, kind: msg.kind }, 'collector refused a report; kept in outbox/rejected');
          this.outbox.rejected(msg.file);
          continue;
        }
        this.failures++;
        const delay = backoffDelay(this.failures);
        this.o.log.warn(
          { err: err instanceof Error ? err.message : String(err), retryInMs: Math.round(delay), queued: this.outbox.stats().messages },
          'collector unreachable; will retry',
        );
        if (!this.stopped) {
          this.retryTimer = setTimeout(() => {
            this.retryTimer = undefined;
            this.kick();
          }, delay);
        }
        return;
      }
    }
  }

  private afterAck(ack: ReportAck): void {
    if (ack.settings) {
      const changed = ack.settings.heartbeatSec !== this.settings.heartbeatSec || ack.settings.scanSec !== this.settings.scanSec;
      this.settings = ack.settings;
      if (changed) this.o.log.info({ settings: ack.settings }, 'collector changed agent settings');
    }
    if (ack.needPosture && this.lastPosture) {
      this.outbox.enqueue('posture', { kind: 'posture', postureHash: postureHash(this.lastPosture), posture: this.lastPosture });
    }
  }

  /** Stops the timers, queues a goodbye and tries for up to graceMs to deliver what is queued. */
  async stop(reason: string, graceMs = 5000): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    await Promise.all(this.watchers.map((w) => w.close()));
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await this.flushing;
    this.outbox.enqueue('goodbye', { kind: 'goodbye', reason });
    const deadline = Date.now() + graceMs;
    await Promise.race([this.drain(deadline), new Promise((r) => setTimeout(r, graceMs).unref())]);
    this.o.log.info({ outbox: this.outbox.stats() }, 'agent stopped');
  }
}
