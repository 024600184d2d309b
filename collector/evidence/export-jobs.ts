// Evidence export jobs started through the API: each runs `exportBundle` in a child process (export-worker.ts)
// and writes <dataDir>/exports/<id>.zip. The job's state (progress, result, verification) is kept in memory and
// in <id>.json beside the zip, so finished exports stay listed and downloadable after a collector restart; a job
// that was running when the collector stopped is reported as failed, never as done.
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { ControlVerdict } from './control-status.js';
import type { ExportPhase, ExportProgress } from './export.js';
import type { EvidenceScope } from './source.js';
import type { VerifyProblem } from './verify.js';

export type ExportJobStatus = 'running' | 'done' | 'failed';

export interface ExportJobScope {
  level: number;
  unit: string | null;
  system: string | null;
  from: string | null;
  to: string;
  /** Set for a point-in-time export (no period): the instant whose state is reported. */
  asOf: string | null;
}

export interface ExportJobResult {
  bundleId: string;
  /** SHA-256 of the signing key's DER public key. */
  fingerprint: string;
  machines: number;
  verdicts: Record<ControlVerdict, number>;
  /** Size and SHA-256 of the .zip, so a downloaded copy can be compared. */
  bytes: number;
  sha256: string;
}

export interface ExportJobVerification {
  ok: boolean;
  verified: number;
  problems: VerifyProblem[];
}

export interface ExportJob {
  id: string;
  status: ExportJobStatus;
  scope: ExportJobScope;
  requestedBy: { id: string; username: string; role: string };
  createdAt: string;
  finishedAt: string | null;
  progress: ExportProgress;
  result: ExportJobResult | null;
  verification: ExportJobVerification | null;
  error: string | null;
}

/** What the worker needs: everything as plain JSON (it is passed on the command line). */
export interface WorkerRequest {
  dataDir: string;
  outPath: string;
  tmpDir: string;
  scope: { level: number; unit?: string; system?: string; from?: string; to: string };
  policy: { dir?: string; packs: string[]; overrides: Record<string, unknown>; digest: string };
}

export type WorkerMessage =
  | { type: 'progress'; progress: ExportProgress }
  | { type: 'done'; result: ExportJobResult; verification: ExportJobVerification }
  | { type: 'error'; message: string };

export class ExportBusyError extends Error {}

export const EXPORT_ID_PATTERN = '^exp_[A-Za-z0-9_-]{12}$';
const ID = new RegExp(EXPORT_ID_PATTERN);
const PHASES: readonly ExportPhase[] = ['waiting', 'machines', 'history', 'reports', 'packaging', 'done'];

export interface ExportJobsOptions {
  dataDir: string;
  log: Logger;
  /** Exports running at once; more are refused (each is a CPU-bound process). */
  maxRunning?: number;
  /** Called once when a job ends, done or failed (the route layer records it in the audit log). */
  onFinished?: (job: ExportJob) => void;
}

export interface StartInput {
  scope: EvidenceScope;
  requestedBy: ExportJob['requestedBy'];
  /** The policy set the findings were evaluated against, read when the export starts reading (after any wait). */
  policy: () => WorkerRequest['policy'];
  /** Work that must end before the export reads, with the job's progress showing it meanwhile. */
  waitFor?: ExportWait;
}

/**
 * A fleet-wide re-evaluation under way (compliance/reevaluation-pass.ts): until it ends some findings are of
 * the previous policy, and a bundle of "now" would mix two policies under one digest. Such an export waits,
 * and its instant becomes the moment the wait ended.
 */
export interface ExportWait {
  /** true once the work has ended; false when it was stopped (the collector is stopping). */
  ended: Promise<boolean>;
  progress: () => { done: number; total: number } | null;
}

/** The worker entry: compiled .js beside this file, or the .ts source run through tsx (development, tests). */
function workerEntry(): { file: string; execArgv: string[] } {
  const js = fileURLToPath(new URL('./export-worker.js', import.meta.url));
  if (existsSync(js)) return { file: js, execArgv: [] };
  // Resolved here, not by the child: `--import tsx` would be looked up from the collector's working directory.
  return { file: js.replace(/\.js$/, '.ts'), execArgv: ['--import', import.meta.resolve('tsx')] };
}

export class ExportJobs {
  readonly dir: string;
  private readonly tmpDir: string;
  private readonly jobs = new Map<string, ExportJob>();
  private readonly children = new Map<string, ChildProcess>();
  /** Jobs waiting before they read (ExportWait): they count against maxRunning like running ones. */
  private readonly waiting = new Map<string, { over: Promise<void>; progress: ExportWait['progress'] }>();
  private closed = false;

  constructor(private readonly o: ExportJobsOptions) {
    this.dir = path.resolve(o.dataDir, 'exports');
    this.tmpDir = path.join(this.dir, 'tmp');
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    // Staging left by an export that was killed: never part of any bundle.
    rmSync(this.tmpDir, { recursive: true, force: true });
    mkdirSync(this.tmpDir, { mode: 0o700 });
    this.loadPrevious();
  }

  private loadPrevious(): void {
    for (const name of readdirSync(this.dir)) {
      const id = name.replace(/\.json$/, '');
      if (!name.endsWith('.json') || !ID.test(id)) continue;
      try {
        const job = JSON.parse(readFileSync(path.join(this.dir, name), 'utf8')) as ExportJob;
        if (job.id !== id || !PHASES.includes(job.progress?.phase)) throw new Error('not an export job record');
        if (job.status === 'running') {
          job.status = 'failed';
          job.error = 'the collector stopped during the export / máy chủ dừng khi đang xuất';
          job.finishedAt = new Date().toISOString();
          rmSync(this.zipPath(id), { force: true });
          this.save(job);
        }
        if (job.status === 'done' && !existsSync(this.zipPath(id))) {
          job.status = 'failed';
          job.error = 'the bundle file was removed from the exports folder / tệp gói đã bị xóa';
          this.save(job);
        }
        this.jobs.set(id, job);
      } catch (err) {
        this.o.log.warn({ file: name, err: (err as Error).message }, 'ignoring an unreadable export job record');
      }
    }
  }

  zipPath(id: string): string {
    if (!ID.test(id)) throw new Error(`bad export id ${id}`);
    return path.join(this.dir, `${id}.zip`);
  }

  get(id: string): ExportJob | undefined {
    const job = this.jobs.get(id);
    return job && this.current(job);
  }

  /** Newest first. */
  list(): ExportJob[] {
    return [...this.jobs.values()].map((j) => this.current(j)).sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.id < b.id ? 1 : -1));
  }

  running(): number {
    return this.children.size + this.waiting.size;
  }

  start(input: StartInput): ExportJob {
    if (this.closed) throw new Error('the export jobs are closed');
    if (this.running() >= (this.o.maxRunning ?? 2)) {
      throw new ExportBusyError(`${this.running()} exports are running; wait for one to finish`);
    }
    const id = 'exp_' + randomBytes(9).toString('base64url');
    const s = input.scope;
    const job: ExportJob = {
      id,
      status: 'running',
      scope: {
        level: s.level,
        unit: s.unit ?? null,
        system: s.system ?? null,
        from: s.from?.toISOString() ?? null,
        to: s.to.toISOString(),
        asOf: s.from ? null : s.to.toISOString(),
      },
      requestedBy: input.requestedBy,
      createdAt: new Date().toISOString(),
      finishedAt: null,
      progress: { phase: 'machines', done: 0, total: 0 },
      result: null,
      verification: null,
      error: null,
    };
    this.jobs.set(id, job);
    const wait = input.waitFor;
    if (!wait) {
      this.save(job);
      this.fork(job, input);
      return job;
    }
    job.progress = { phase: 'waiting', done: 0, total: 0 };
    const proceed = (ended: boolean) => {
      if (!ended || this.closed) return this.fail(job, 'the collector stopped while the export waited for the re-evaluation / máy chủ dừng khi gói đang chờ đánh giá lại');
      // Of "now": the instant read is now, after every machine was evaluated against the current policy.
      const to = new Date().toISOString();
      job.scope.to = to;
      if (job.scope.asOf) job.scope.asOf = to;
      job.progress = { phase: 'machines', done: 0, total: 0 };
      this.save(job);
      this.fork(job, { ...input, scope: { ...input.scope, to: new Date(to) } });
    };
    const waited = wait.ended
      .then(proceed)
      .catch((err: unknown) => this.fail(job, `the export could not start after its wait / không thể bắt đầu xuất: ${(err as Error).message}`))
      .catch((err: unknown) => this.o.log.error({ err, exportId: id }, 'could not record a failed evidence export'))
      .finally(() => this.waiting.delete(id));
    this.waiting.set(id, { over: waited, progress: wait.progress });
    this.save(this.current(job));
    return job;
  }

  /** A waiting job's progress is that of what it waits for, read when the job is asked for. */
  private current(job: ExportJob): ExportJob {
    const p = job.progress.phase === 'waiting' ? this.waiting.get(job.id)?.progress() : null;
    if (p) job.progress = { phase: 'waiting', done: p.done, total: p.total };
    return job;
  }

  /** Ends a job that never reached its worker. */
  private fail(job: ExportJob, error: string): void {
    job.status = 'failed';
    job.error = error;
    job.finishedAt = new Date().toISOString();
    this.save(job);
    this.o.log.warn({ exportId: job.id, error }, 'evidence export failed');
    this.finished(job);
  }

  private finished(job: ExportJob): void {
    try {
      this.o.onFinished?.(job);
    } catch (err) {
      this.o.log.error({ err, exportId: job.id }, 'could not record the end of an evidence export');
    }
  }

  private fork(job: ExportJob, input: StartInput): void {
    const id = job.id;
    const s = input.scope;
    const request: WorkerRequest = {
      dataDir: path.resolve(this.o.dataDir),
      outPath: this.zipPath(id),
      tmpDir: this.tmpDir,
      scope: {
        level: s.level,
        ...(s.unit ? { unit: s.unit } : {}),
        ...(s.system ? { system: s.system } : {}),
        ...(s.from ? { from: s.from.toISOString() } : {}),
        to: s.to.toISOString(),
      },
      policy: input.policy(),
    };
    const entry = workerEntry();
    const child = fork(entry.file, [JSON.stringify(request)], {
      execArgv: entry.execArgv,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'json',
    });
    this.children.set(id, child);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => {
      if (stderr.length < 8192) stderr += d.toString();
    });
    let reported: WorkerMessage | null = null;
    child.on('message', (m: WorkerMessage) => {
      if (m.type === 'progress') job.progress = m.progress;
      else reported = m;
    });
    child.on('error', (err) => {
      reported ??= { type: 'error', message: `could not start the export process: ${err.message}` };
    });
    // 'close', not 'exit': it comes after the IPC channel is drained, so the worker's last message is in.
    child.on('close', (code, signal) => {
      this.children.delete(id);
      const r = reported as WorkerMessage | null;
      if (r?.type === 'done' && code === 0) {
        job.status = 'done';
        job.result = r.result;
        job.verification = r.verification;
        job.progress = { phase: 'done', done: 1, total: 1 };
      } else {
        job.status = 'failed';
        job.error =
          r?.type === 'error'
            ? r.message
            : `the export process ended (${signal ?? `exit code ${code}`}) without a result${stderr ? `: ${stderr.trim().split('\n').slice(-3).join(' ')}` : ''}`;
        rmSync(this.zipPath(id), { force: true });
      }
      job.finishedAt = new Date().toISOString();
      this.save(job);
      if (job.status === 'failed') this.o.log.warn({ exportId: id, error: job.error }, 'evidence export failed');
      this.finished(job);
    });
  }

  /** Resolves when the job has ended (tests, shutdown). */
  async settled(id: string): Promise<ExportJob | undefined> {
    await this.waiting.get(id)?.over;
    const child = this.children.get(id);
    // Our own 'close' listener was added first, so the job is final when this one runs.
    if (child) await new Promise<void>((resolve) => child.once('close', () => resolve()));
    return this.jobs.get(id);
  }

  /** Stops running exports (they are then reported as failed). */
  async close(): Promise<void> {
    // A job still waiting fails when its wait ends (the collector stops the re-evaluation before this).
    this.closed = true;
    await Promise.all([...this.waiting.values()].map((w) => w.over));
    const ids = [...this.children.keys()];
    for (const id of ids) this.children.get(id)?.kill('SIGTERM');
    await Promise.all(ids.map((id) => this.settled(id)));
  }

  private save(job: ExportJob): void {
    // Written whole and renamed: a reader (or a restart) never sees half a record.
    const file = path.join(this.dir, `${job.id}.json`);
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(job, null, 2) + '\n', { mode: 0o600 });
    renameSync(tmp, file);
  }
}
