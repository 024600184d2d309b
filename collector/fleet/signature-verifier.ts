// Agent request signatures are checked on one dedicated worker thread, in batches, so a multi-core collector
// verifies beside its event loop. One thread, not libuv's pool: with several threads OpenSSL's internal locks
// made Ed25519 checks contend with each other and with the event loop (measured by bench:ingest, see
// BENCHMARKS.md), and a batch per event-loop turn keeps message passing to one postMessage per turn.
import { Worker } from 'node:worker_threads';
import { workerSource } from '../worker-source.js';
import { verifyEd25519 } from './keys.js';

interface Job {
  publicKeyB64: string;
  message: Buffer;
  signatureB64: string;
}

/**
 * The worker's whole program. Written as a function without outside references so its source can be
 * evaluated as the worker (the same in development through tsx and in the compiled build).
 */
function workerMain(): void {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { parentPort } = require('node:worker_threads') as typeof import('node:worker_threads');
  const { createPublicKey, verify } = require('node:crypto') as typeof import('node:crypto');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
  const keys = new Map<string, import('node:crypto').KeyObject>();
  parentPort!.on('message', (batch: { id: number; jobs: { publicKeyB64: string; message: Uint8Array; signatureB64: string }[] }) => {
    const results = new Uint8Array(batch.jobs.length);
    batch.jobs.forEach((j, i) => {
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
        results[i] = verify(null, j.message, key, sig) ? 1 : 0;
      } catch {
        results[i] = 0;
      }
    });
    parentPort!.postMessage({ id: batch.id, results });
  });
}

type Pending = { job: Job; resolve: (ok: boolean) => void };

const verifyHere = (p: Pending) => p.resolve(verifyEd25519(p.job.publicKeyB64, p.job.message, p.job.signatureB64));

export class SignatureVerifier {
  private worker: Worker | null;
  private queue: Pending[] = [];
  private readonly inFlight = new Map<number, Pending[]>();
  private nextBatch = 1;
  private scheduled = false;

  constructor(private readonly onWorkerLost: (err: unknown) => void = () => {}) {
    this.worker = new Worker(workerSource(workerMain), { eval: true, name: 'soclite-signature-verifier' });
    this.worker.on('message', (m: { id: number; results: Uint8Array }) => {
      const batch = this.inFlight.get(m.id);
      this.inFlight.delete(m.id);
      batch?.forEach((p, i) => p.resolve(m.results[i] === 1));
      // Idle, the worker does not keep the process alive.
      if (this.inFlight.size === 0) this.worker?.unref();
    });
    this.worker.on('error', (err) => this.lose(err));
    this.worker.on('exit', (code) => this.lose(new Error(`signature worker exited with code ${code}`)));
    // After the listeners: adding a 'message' listener refs the worker again. Idle, it keeps nothing alive.
    this.worker.unref();
  }

  /** Resolves true when the signature verifies with the key; never rejects. */
  verify(publicKeyB64: string, message: Buffer, signatureB64: string): Promise<boolean> {
    if (!this.worker) return Promise.resolve(verifyEd25519(publicKeyB64, message, signatureB64));
    return new Promise((resolve) => {
      this.queue.push({ job: { publicKeyB64, message, signatureB64 }, resolve });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.send());
      }
    });
  }

  private send(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (!batch.length) return;
    if (!this.worker) {
      batch.forEach(verifyHere);
      return;
    }
    const id = this.nextBatch++;
    this.inFlight.set(id, batch);
    // A worker with work pending keeps the process alive until the answers are in.
    this.worker.ref();
    this.worker.postMessage({ id, jobs: batch.map((b) => b.job) });
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
      batch.forEach(verifyHere);
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
