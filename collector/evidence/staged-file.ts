// A file being generated for a bundle: text is batched into ~64 KiB chunks, hashed and written with back-pressure
// respected, so a 200 MB OSCAL document costs a few chunks of memory rather than a string of its size.
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
  private pending: string[] = [];
  private pendingLength = 0;
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
    this.pending.push(text);
    this.pendingLength += text.length;
    if (this.pendingLength >= CHUNK) return this.flush();
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
    if (this.pendingLength === 0) return;
    const buf = Buffer.from(this.pending.join(''), 'utf8');
    this.pending = [];
    this.pendingLength = 0;
    return this.push(buf);
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
  abort(): void {
    this.out.destroy();
  }
}
