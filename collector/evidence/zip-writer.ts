// The bundle's .zip, written while the rest of the bundle is still being made: each file is added as soon as it
// is complete (in the bundle's fixed order), so zlib compresses the large CSV and OSCAL files on its thread pool
// while the main thread renders the reports. Written under a temporary name and renamed at the end: never a
// half-written bundle under the real name.
import { randomUUID } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { rename, unlink } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import yazl from 'yazl';
import { readSegments, type Segment } from './segments.js';

export class ZipWriter {
  private readonly partial: string;
  private readonly zip = new yazl.ZipFile();
  private readonly out: WriteStream;
  private readonly closed: Promise<unknown>;
  private readonly streams: Readable[] = [];
  /** Uncompressed bytes yazl has consumed so far, for progress. */
  consumed = 0;
  added = 0;

  constructor(
    private readonly outPath: string,
    private readonly mtime: Date,
    private readonly onBytes: (consumed: number) => void = () => {},
  ) {
    this.partial = `${outPath}.partial-${process.pid}-${randomUUID().slice(0, 8)}`;
    this.out = createWriteStream(this.partial, { flags: 'wx', mode: 0o644 });
    this.zip.outputStream.on('error', (err) => this.out.destroy(err));
    this.zip.outputStream.pipe(this.out);
    this.closed = once(this.out, 'close');
    // Until finish() awaits it, a failure must not surface as an unhandled rejection.
    this.closed.catch(() => {});
  }

  add(name: string, segments: Segment[], bytes: number): void {
    let reported = 0;
    const counter = new Transform({
      transform: (chunk: Buffer, _enc, cb) => {
        this.consumed += chunk.length;
        if (this.consumed - reported >= 4 * 1024 * 1024) {
          reported = this.consumed;
          this.onBytes(this.consumed);
        }
        cb(null, chunk);
      },
    });
    const source = Readable.from(readSegments(segments), { objectMode: false });
    source.on('error', (err) => counter.destroy(err));
    source.pipe(counter);
    this.streams.push(source);
    this.added += bytes;
    // Fixed mtime and order: the zip's listing says when the bundle was made, not when each temp file was.
    // Level 1: nearly the ratio of the default on this repetitive text at a fraction of the time.
    this.zip.addReadStream(counter, name, { mtime: this.mtime, mode: 0o100644, compressionLevel: 1, size: bytes });
  }

  async finish(): Promise<void> {
    this.zip.end();
    try {
      await this.closed;
      await rename(this.partial, this.outPath);
      this.onBytes(this.consumed);
    } catch (err) {
      await unlink(this.partial).catch(() => {});
      throw err;
    }
  }

  /** Error paths: stop reading, drop the partial file. */
  async abort(): Promise<void> {
    for (const s of this.streams) s.destroy();
    this.out.destroy();
    await this.closed.catch(() => {});
    await unlink(this.partial).catch(() => {});
  }
}
