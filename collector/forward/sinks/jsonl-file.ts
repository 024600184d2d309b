// JSON lines for a local SIEM shipper (Filebeat, Fluent Bit, Vector) to tail. A batch is appended and
// fdatasync'ed before it counts as delivered. Rotation is by size, shipper-friendly: the live file is renamed
// to `<path>.1` (older ones shift to .2 ... .maxFiles, the last is deleted) and a new live file is started, so
// a tailer following by name sees a new file rather than a truncated one.
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { renderPayload, type ProducerInfo } from '../encoders/render.js';
import type { ForwardEvent, ForwardFormat } from '../types.js';
import type { SendReport, Sink } from './sink.js';

export interface JsonlFileSinkOptions {
  path: string;
  format: ForwardFormat;
  producer: ProducerInfo;
  maxFileBytes: number;
  /** Rotated files kept besides the live one. */
  maxFiles: number;
}

export class JsonlFileSink implements Sink {
  constructor(private readonly opts: JsonlFileSinkOptions) {}

  private async currentSize(): Promise<number> {
    try {
      return (await stat(this.opts.path)).size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw err;
    }
  }

  private async rotate(): Promise<void> {
    const p = this.opts.path;
    await rm(`${p}.${this.opts.maxFiles}`, { force: true });
    for (let i = this.opts.maxFiles - 1; i >= 1; i--) {
      await rename(`${p}.${i}`, `${p}.${i + 1}`).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
    }
    await rename(p, `${p}.1`);
  }

  async send(events: readonly ForwardEvent[]): Promise<SendReport> {
    if (events.length === 0) return { truncated: 0 };
    await mkdir(path.dirname(this.opts.path), { recursive: true });
    // Lines are written in groups so no file grows past maxFileBytes (unless one line alone is larger).
    const lines = events.map((e) => Buffer.from(`${renderPayload(this.opts.format, e, this.opts.producer)}\n`, 'utf8'));
    let size = await this.currentSize();
    let i = 0;
    while (i < lines.length) {
      if (size > 0 && size + lines[i]!.length > this.opts.maxFileBytes) {
        await this.rotate();
        size = 0;
      }
      const chunk: Buffer[] = [];
      while (i < lines.length && (chunk.length === 0 || size + lines[i]!.length <= this.opts.maxFileBytes)) {
        chunk.push(lines[i]!);
        size += lines[i]!.length;
        i++;
      }
      const fh = await open(this.opts.path, 'a', 0o640);
      try {
        await fh.write(Buffer.concat(chunk));
        await fh.datasync();
      } finally {
        await fh.close();
      }
    }
    return { truncated: 0 };
  }

  async close(): Promise<void> {
    // Nothing kept open between batches.
  }
}
