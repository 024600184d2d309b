// Agent request signatures are checked on one dedicated worker thread, in batches, so a multi-core collector
// verifies beside its event loop. One thread, not libuv's pool: with several threads OpenSSL's internal locks
// made Ed25519 checks contend with each other and with the event loop (measured by bench:ingest, see
// BENCHMARKS.md), and a batch per event-loop turn keeps message passing to one postMessage per turn.
// The same worker also computes a posture report's hash (canonical JSON + SHA-256 of what the posture says,
// protocol/canonical.ts), the other costly step of an unchanged posture, from the report's raw text.
// And it reads large report bodies (parse, posture hash, validation: report-text.ts), so the event loop does
// not parse an unchanged posture at all.
// Jobs travel as strings, or as bytes in an ArrayBuffer of their own that is moved, not copied: a Buffer would
// be cloned with the whole 8 KB pool slab it sits in.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { workerSource } from '../worker-source.js';
import { canonicalJson, postureHash, stablePostureView, type Posture } from '../../protocol/index.js';
import { verifyEd25519 } from './keys.js';
import { JSON_BODY_OPTIONS, readReportText, readReportTextHere, type ReportTextOutcome } from './report-text.js';
import { REPORT_SCHEMAS, explain, reportProblem } from '../http/report-validator.js';
import { BODY_AJV_OPTIONS } from '../http/validators.js';

export interface CheckJob {
  publicKeyB64: string;
  /** The signed message as text (protocol/signing.ts requestSigningText). */
  message: string;
  signatureB64: string;
  /** A posture report's raw JSON text, when its posture hash is wanted too. */
  postureReport?: string;
  /** Only the posture hash is wanted (a session-MAC'd report, already authenticated): no signature check. */
  hashOnly?: boolean;
  /** A report body to read (report-text.ts), as UTF-8 in an ArrayBuffer of its own (moved to the worker). */
  reportBytes?: Uint8Array;
  /** The agent's stored posture hash, for reportBytes (report-text.ts readReportText). */
  storedHash?: string | null;
}

export interface CheckResult {
  valid: boolean;
  /** Hash of the report's posture (only when postureReport was given and it holds a posture). */
  postureHash?: string;
  /** What reportBytes held. */
  report?: ReportTextOutcome;
}

interface WorkerHelpers {
  canonicalJson: typeof canonicalJson;
  stablePostureView: typeof stablePostureView;
  readReportText: typeof readReportText;
  reportProblem: typeof reportProblem;
  explain: typeof explain;
}

/** What the worker loads by path (it resolves no modules itself, see worker-source.ts) and the report schemas. */
interface VerifierWorkerData {
  ajvPath: string;
  formatsPath: string;
  jsonParserPath: string;
  ajvOptions: typeof BODY_AJV_OPTIONS;
  jsonOptions: typeof JSON_BODY_OPTIONS;
  schemas: Record<string, object>;
}

/** The hash of a posture report's posture, or undefined when the text holds none. Used where the worker is gone. */
function postureHashOfText(text: string): string | undefined {
  try {
    const r = JSON.parse(text) as { kind?: unknown; posture?: unknown };
    return r.kind === 'posture' && typeof r.posture === 'object' && r.posture !== null ? postureHash(r.posture as Posture) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The worker's whole program. Written as a function without outside references so its source can be
 * evaluated as the worker (the same in development through tsx and in the compiled build).
 */
function workerMain(helpers: WorkerHelpers): void {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { parentPort, workerData } = require('node:worker_threads') as typeof import('node:worker_threads');
  const { createHash, createPublicKey, verify } = require('node:crypto') as typeof import('node:crypto');
  const wd = workerData as VerifierWorkerData;
  const Ajv = require(wd.ajvPath) as typeof import('ajv').Ajv;
  const addFormats = require(wd.formatsPath) as (ajv: import('ajv').Ajv) => void;
  const sjson = require(wd.jsonParserPath) as typeof import('secure-json-parse');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
  const keys = new Map<string, import('node:crypto').KeyObject>();
  const ajv = new Ajv(wd.ajvOptions);
  addFormats(ajv);
  const postureHashOf = (posture: unknown) => createHash('sha256').update(helpers.canonicalJson(helpers.stablePostureView(posture as Posture))).digest('hex');
  const reportDeps = {
    parseJson: (text: string): unknown => sjson.parse(text, null, wd.jsonOptions),
    validators: Object.fromEntries(Object.entries(wd.schemas).map(([kind, schema]) => [kind, ajv.compile(schema)])),
    reportProblem: helpers.reportProblem,
    explain: helpers.explain,
    postureHash: postureHashOf,
  };
  const utf8 = new TextDecoder();
  const hashOf = (text: string): string | null => {
    try {
      const r = JSON.parse(text) as { kind?: unknown; posture?: unknown };
      if (r.kind !== 'posture' || typeof r.posture !== 'object' || r.posture === null) return null;
      return postureHashOf(r.posture);
    } catch {
      return null;
    }
  };
  parentPort!.on('message', (batch: { id: number; jobs: CheckJob[] }) => {
    const results = new Uint8Array(batch.jobs.length);
    const hashes: (string | null)[] = [];
    const reports: (ReportTextOutcome | undefined)[] = [];
    batch.jobs.forEach((j, i) => {
      if (j.postureReport !== undefined) hashes[i] = hashOf(j.postureReport);
      if (j.reportBytes !== undefined) reports[i] = helpers.readReportText(utf8.decode(j.reportBytes), reportDeps, j.storedHash);
      if (j.hashOnly) return;
      try {
        const sig = Buffer.from(j.signatureB64, 'base64');
        if (sig.length !== 64) return;
        let key = keys.get(j.publicKeyB64);
        if (!key) {
          const raw = Buffer.from(j.publicKeyB64, 'base64');
          if (raw.length !== 32) return;
          key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
          if (keys.size > 200_000) keys.clear();
          keys.set(j.publicKeyB64, key);
        }
        results[i] = verify(null, Buffer.from(j.message, 'utf8'), key, sig) ? 1 : 0;
      } catch {
        results[i] = 0;
      }
    });
    parentPort!.postMessage({ id: batch.id, results, hashes, reports });
  });
}

/** raw: a report body's own bytes (given with every reportBytes job): the copy posted to the worker is moved away. */
type Pending = { job: CheckJob; resolve: (r: CheckResult) => void; raw?: Buffer };

function checkHere(p: Pending): void {
  const valid = !p.job.hashOnly && verifyEd25519(p.job.publicKeyB64, Buffer.from(p.job.message, 'utf8'), p.job.signatureB64);
  const hash = p.job.postureReport === undefined ? undefined : postureHashOfText(p.job.postureReport);
  const report = p.raw === undefined ? undefined : readReportTextHere(p.raw.toString('utf8'), p.job.storedHash);
  p.resolve({ valid, ...(hash === undefined ? {} : { postureHash: hash }), ...(report === undefined ? {} : { report }) });
}

function verifierWorkerData(): VerifierWorkerData {
  const req = createRequire(import.meta.url);
  return {
    ajvPath: req.resolve('ajv'),
    formatsPath: req.resolve('ajv-formats'),
    jsonParserPath: req.resolve('secure-json-parse'),
    ajvOptions: BODY_AJV_OPTIONS,
    jsonOptions: JSON_BODY_OPTIONS,
    // As plain JSON: the schema objects also carry TypeBox's symbol keys.
    schemas: JSON.parse(JSON.stringify(REPORT_SCHEMAS)) as Record<string, object>,
  };
}

export class SignatureVerifier {
  private worker: Worker | null;
  private queue: Pending[] = [];
  private readonly inFlight = new Map<number, Pending[]>();
  private nextBatch = 1;
  private scheduled = false;

  constructor(private readonly onWorkerLost: (err: unknown) => void = () => {}) {
    this.worker = new Worker(workerSource(workerMain, { canonicalJson, stablePostureView, readReportText, reportProblem, explain }), {
      eval: true,
      name: 'soclite-signature-verifier',
      workerData: verifierWorkerData(),
    });
    this.worker.on('message', (m: { id: number; results: Uint8Array; hashes: (string | null | undefined)[]; reports: (ReportTextOutcome | undefined)[] }) => {
      const batch = this.inFlight.get(m.id);
      this.inFlight.delete(m.id);
      batch?.forEach((p, i) => {
        const hash = m.hashes[i];
        const report = m.reports[i];
        p.resolve({ valid: m.results[i] === 1, ...(typeof hash === 'string' ? { postureHash: hash } : {}), ...(report ? { report } : {}) });
      });
      // Idle, the worker does not keep the process alive.
      if (this.inFlight.size === 0) this.worker?.unref();
    });
    this.worker.on('error', (err) => this.lose(err));
    this.worker.on('exit', (code) => this.lose(new Error(`signature worker exited with code ${code}`)));
    // After the listeners: adding a 'message' listener refs the worker again. Idle, it keeps nothing alive.
    this.worker.unref();
  }

  /** Resolves true when the signature verifies with the key; never rejects. */
  async verify(publicKeyB64: string, message: Buffer | string, signatureB64: string): Promise<boolean> {
    const text = typeof message === 'string' ? message : message.toString('utf8');
    return (await this.check({ publicKeyB64, message: text, signatureB64 })).valid;
  }

  /** The posture hash of a posture report's raw text, computed on the worker; undefined when it holds none. */
  async postureHash(postureReport: string): Promise<string | undefined> {
    return (await this.check({ publicKeyB64: '', message: '', signatureB64: '', postureReport, hashOnly: true })).postureHash;
  }

  /**
   * Reads a report body on the worker (report-text.ts); never rejects. A copy of the bytes in an ArrayBuffer
   * of its own is moved there.
   */
  async readReport(raw: Buffer, storedHash?: string | null): Promise<ReportTextOutcome> {
    const job: CheckJob = { publicKeyB64: '', message: '', signatureB64: '', hashOnly: true, reportBytes: new Uint8Array(raw), storedHash };
    return (await this.enqueue(job, raw)).report!;
  }

  /** Verifies the signature and, for a posture report, hashes its posture; never rejects. */
  check(job: CheckJob): Promise<CheckResult> {
    return this.enqueue(job);
  }

  private enqueue(job: CheckJob, raw?: Buffer): Promise<CheckResult> {
    if (!this.worker) return new Promise((resolve) => checkHere({ job, resolve, raw }));
    return new Promise((resolve) => {
      this.queue.push({ job, resolve, raw });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.send());
      }
    });
  }

  /**
   * Posts what is queued now. Jobs queued from a setImmediate callback would otherwise wait for the next turn
   * of the event loop: the send scheduled for them runs after that turn's I/O.
   */
  flush(): void {
    if (this.scheduled) this.send();
  }

  private send(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (!batch.length) return;
    if (!this.worker) {
      batch.forEach(checkHere);
      return;
    }
    const id = this.nextBatch++;
    this.inFlight.set(id, batch);
    // A worker with work pending keeps the process alive until the answers are in.
    this.worker.ref();
    const moved = batch.flatMap((b) => (b.job.reportBytes ? [b.job.reportBytes.buffer as ArrayBuffer] : []));
    this.worker.postMessage({ id, jobs: batch.map((b) => b.job) }, moved);
  }

  /** The worker died (it should not): answer what it held on this thread and keep verifying here. */
  private lose(err: unknown): void {
    if (!this.worker) return;
    this.worker = null;
    this.onWorkerLost(err);
    this.scheduled = false;
    this.send();
    this.answerInFlightHere();
  }

  private answerInFlightHere(): void {
    for (const [id, batch] of this.inFlight) {
      this.inFlight.delete(id);
      batch.forEach(checkHere);
    }
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    this.send();
    this.answerInFlightHere();
    if (w) await w.terminate();
  }
}
