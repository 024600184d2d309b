// A file being generated for a bundle: text is encoded straight into a fixed 64 KiB buffer, and each full buffer
// is hashed and written with back-pressure respected, so a 200 MB OSCAL document costs a few chunks of memory
// rather than a string of its size. Encoding at once (instead of keeping the strings until a chunk is full)
// lets each small string die young: the exporter's heap stays flat however many machines pass through it.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';

const CHUNK = 64 * 1024;

export interface StagedResult {
  path: string;
  bytes: number;
  sha256: string;
}

export class StagedFile {
  private readonly out: WriteStream;
  private readonly hash: Hash | null;
  private chunk: Buffer = Buffer.allocUnsafe(CHUNK);
  private used = 0;
  private bytes = 0;
  private failure: Error | null = null;

  /** `hashed: false` for temporary parts that are spliced into another (hashed) file. */
  constructor(
    readonly path: string,
    opts: { hashed?: boolean; bufferBytes?: number } = {},
  ) {
    this.hash = opts.hashed === false ? null : createHash('sha256');
    // A large buffer for the big files: the exporter writes several at once and should rarely wait for the disk.
    this.out = createWriteStream(path, { flags: 'wx', mode: 0o600, highWaterMark: opts.bufferBytes ?? 256 * 1024 });
    this.out.on('error', (err) => {
      this.failure = err;
    });
  }

  /** Queue text; await the result only when it is a promise (the disk asked us to slow down). */
  write(text: string): Promise<void> | void {
    if (this.failure) throw this.failure;
    // A UTF-8 character takes at most 3 bytes per UTF-16 code unit: this bound never truncates.
    if (text.length * 3 <= CHUNK - this.used) {
      this.used += this.chunk.write(text, this.used, 'utf8');
      return;
    }
    if (text.length * 3 > CHUNK) {
      // Larger than a chunk (the OSCAL document's small parts, a report): flush, then write it whole.
      const flushed = this.flush();
      const big = Buffer.from(text, 'utf8');
      if (flushed) return flushed.then(() => this.push(big));
      return this.push(big);
    }
    const flushed = this.flush();
    this.used += this.chunk.write(text, this.used, 'utf8');
    return flushed;
  }

  writeBytes(buf: Buffer): Promise<void> | void {
    const flushed = this.flush();
    if (flushed) return flushed.then(() => this.push(buf));
    return this.push(buf);
  }

  /** Append another staged file's bytes (used to splice temporary parts into the final document). */
  async append(path: string): Promise<void> {
    await this.flush();
    for await (const chunk of createReadStream(path)) await this.push(chunk as Buffer);
  }

  private flush(): Promise<void> | void {
    if (this.used === 0) return;
    // The stream keeps the full chunk until it is on disk; carry on in a fresh one.
    const full = this.chunk.subarray(0, this.used);
    this.chunk = Buffer.allocUnsafe(CHUNK);
    this.used = 0;
    return this.push(full);
  }

  private push(buf: Buffer): Promise<void> | void {
    if (this.failure) throw this.failure;
    this.hash?.update(buf);
    this.bytes += buf.length;
    if (!this.out.write(buf)) return this.drain();
  }

  private async drain(): Promise<void> {
    // once() rejects if the stream emits 'error' while we wait.
    await once(this.out, 'drain');
  }

  async close(): Promise<StagedResult> {
    await this.flush();
    if (this.failure) throw this.failure;
    this.out.end();
    await once(this.out, 'close');
    if (this.failure) throw this.failure;
    return { path: this.path, bytes: this.bytes, sha256: this.hash ? this.hash.digest('hex') : '' };
  }

  /** Close without caring for the result (error paths). */
  /**
   * Stops writing and resolves once the file is closed. A stream whose open is still pending creates its file
   * after destroy(), so a caller that removes the staging directory must wait for this first (a removal that
   * raced it failed with ENOTEMPTY and hid the export's own error).
   */
  async abort(): Promise<void> {
    if (this.out.closed) return;
    const closed = once(this.out, 'close').catch(() => undefined);
    this.out.destroy();
    await closed;
  }
}
