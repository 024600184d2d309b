// The durable outbox: every report is on disk (fsynced) before the agent tries to send it, and leaves only
// when the collector acknowledged it after its commit. Ordering is by priority (events > posture > heartbeat,
// goodbye last-word first), then age. It is bounded in bytes and age; when it must drop, it drops the oldest
// lowest-priority data and queues an explicit gap event so the collector knows what was lost.
//
// Sequence numbers are assigned when a message is first sent and persisted with it ("in flight"), so a resend
// after a lost acknowledgement reuses the same sequence and the collector recognises it.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { unlinkDurable, writeFileDurable, fsyncDir } from '../transport/durable-file.js';

export type OutboxKind = 'events' | 'goodbye' | 'posture' | 'heartbeat';

const PRIORITY: Record<OutboxKind, number> = { events: 0, goodbye: 1, posture: 2, heartbeat: 3 };

export interface OutboxMessage {
  file: string;
  kind: OutboxKind;
  enqueuedAt: number;
  /** The report body without its seq; the seq is added when sent. */
  payload: Record<string, unknown>;
}

interface OutboxState {
  nextSeq: number;
  inflight: { file: string; seq: number; attempts: number } | null;
  dropped: { count: number; kinds: string[]; oldest: number | null };
}

export interface OutboxLimits {
  maxBytes: number;
  maxAgeMs: number;
}

export const DEFAULT_LIMITS: OutboxLimits = { maxBytes: 50 * 1024 * 1024, maxAgeMs: 30 * 86400_000 };

export class Outbox {
  private readonly dir: string;
  private readonly statePath: string;
  private state: OutboxState;

  constructor(
    stateDir: string,
    private readonly limits: OutboxLimits = DEFAULT_LIMITS,
  ) {
    this.dir = join(stateDir, 'outbox');
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    mkdirSync(join(this.dir, 'rejected'), { recursive: true, mode: 0o700 });
    this.statePath = join(stateDir, 'outbox-state.json');
    this.state = existsSync(this.statePath)
      ? (JSON.parse(readFileSync(this.statePath, 'utf8')) as OutboxState)
      : { nextSeq: 1, inflight: null, dropped: { count: 0, kinds: [], oldest: null } };
    if (this.state.inflight && !existsSync(join(this.dir, this.state.inflight.file))) this.state.inflight = null;
  }

  private saveState(): void {
    writeFileDurable(this.statePath, JSON.stringify(this.state));
  }

  private files(): string[] {
    return readdirSync(this.dir).filter((f) => f.endsWith('.json')).sort();
  }

  private read(file: string): OutboxMessage {
    const m = JSON.parse(readFileSync(join(this.dir, file), 'utf8')) as Omit<OutboxMessage, 'file'>;
    return { ...m, file };
  }

  enqueue(kind: OutboxKind, payload: Record<string, unknown>, now = Date.now()): string {
    // A heartbeat only says "alive, posture X": an older unsent one says nothing the new one does not.
    if (kind === 'heartbeat') for (const f of this.files()) if (f.startsWith(`${PRIORITY.heartbeat}-`) && f !== this.state.inflight?.file) unlinkDurable(join(this.dir, f));
    const file = `${PRIORITY[kind]}-${String(now).padStart(15, '0')}-${randomBytes(4).toString('hex')}.json`;
    writeFileDurable(join(this.dir, file), JSON.stringify({ kind, enqueuedAt: now, payload }));
    this.enforceLimits(now);
    return file;
  }

  /** The message to send now: the one in flight if any (it must be resolved first), else the most urgent. */
  next(): (OutboxMessage & { seq: number }) | null {
    if (this.state.inflight) {
      const m = this.read(this.state.inflight.file);
      this.state.inflight.attempts++;
      this.saveState();
      return { ...m, seq: this.state.inflight.seq };
    }
    const [first] = this.files();
    if (!first) return null;
    this.state.inflight = { file: first, seq: this.state.nextSeq, attempts: 1 };
    this.saveState();
    return { ...this.read(first), seq: this.state.inflight.seq };
  }

  /** The collector committed it (or had already): remove it and move the sequence on. */
  delivered(file: string): void {
    if (this.state.inflight?.file !== file) throw new Error(`outbox: ${file} is not in flight`);
    this.state.nextSeq = this.state.inflight.seq + 1;
    this.state.inflight = null;
    this.saveState();
    unlinkDurable(join(this.dir, file));
  }

  /** The collector refused it for good (malformed): keep a copy for diagnosis; its sequence was not used. */
  rejected(file: string): void {
    if (this.state.inflight?.file !== file) throw new Error(`outbox: ${file} is not in flight`);
    this.state.inflight = null;
    this.saveState();
    renameSync(join(this.dir, file), join(this.dir, 'rejected', file));
    fsyncDir(this.dir);
    const kept = readdirSync(join(this.dir, 'rejected')).sort();
    for (const f of kept.slice(0, Math.max(0, kept.length - 20))) unlinkDurable(join(this.dir, 'rejected', f));
  }

  /** The collector has seen later sequences than ours (state restored from an old copy): continue after them. */
  resync(lastSeq: number): void {
    this.state.nextSeq = lastSeq + 1;
    this.state.inflight = null;
    this.saveState();
  }

  /** Drops a queued message of this kind (e.g. a stale goodbye found at start-up). */
  discardKind(kind: OutboxKind): void {
    for (const f of this.files()) if (f.startsWith(`${PRIORITY[kind]}-`) && f !== this.state.inflight?.file) unlinkDurable(join(this.dir, f));
  }

  /** Reports of drops not yet told to the collector; cleared by takeDropped(). */
  takeDropped(): OutboxState['dropped'] | null {
    if (this.state.dropped.count === 0) return null;
    const d = this.state.dropped;
    this.state.dropped = { count: 0, kinds: [], oldest: null };
    this.saveState();
    return d;
  }

  stats(): { messages: number; bytes: number; nextSeq: number; inflight: boolean } {
    let bytes = 0;
    const files = this.files();
    for (const f of files) bytes += statSync(join(this.dir, f)).size;
    return { messages: files.length, bytes, nextSeq: this.state.nextSeq, inflight: this.state.inflight !== null };
  }

  private enforceLimits(now: number): void {
    let files = this.files().map((f) => ({ f, size: statSync(join(this.dir, f)).size }));
    let total = files.reduce((s, x) => s + x.size, 0);
    const drop = (f: string) => {
      const m = this.read(f);
      unlinkDurable(join(this.dir, f));
      const d = this.state.dropped;
      d.count++;
      if (!d.kinds.includes(m.kind)) d.kinds.push(m.kind);
      d.oldest = d.oldest === null ? m.enqueuedAt : Math.min(d.oldest, m.enqueuedAt);
    };
    let changed = false;
    for (const { f } of files) {
      if (f === this.state.inflight?.file) continue;
      const enqueuedAt = Number(f.split('-')[1]);
      if (now - enqueuedAt > this.limits.maxAgeMs) {
        drop(f);
        changed = true;
      }
    }
    files = this.files().map((f) => ({ f, size: statSync(join(this.dir, f)).size }));
    total = files.reduce((s, x) => s + x.size, 0);
    // Lowest priority first (highest prefix), oldest first within it.
    const victims = files
      .filter((x) => x.f !== this.state.inflight?.file)
      .sort((a, b) => (b.f[0]! === a.f[0]! ? a.f.localeCompare(b.f) : b.f[0]!.localeCompare(a.f[0]!)));
    for (const v of victims) {
      if (total <= this.limits.maxBytes) break;
      drop(v.f);
      total -= v.size;
      changed = true;
    }
    if (changed) this.saveState();
  }
}
