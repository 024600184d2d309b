// Follows an append-only log (ClamAV's clamav.log, a clamscan --log file) from a persisted offset, so lines are
// neither missed nor repeated across agent restarts. Rotation is detected by a new inode or a file shorter than
// our offset; the new file is then read from its start.
import { watch, type FSWatcher } from 'chokidar';
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { writeFileDurable } from '../transport/durable-file.js';

export interface TailLine {
  text: string;
  offset: number;
}

interface TailState {
  inode: number;
  offset: number;
}

export interface LogTailOptions {
  path: string;
  stateDir: string;
  /** New whole lines, each with the byte offset where it starts (stable across re-reads). */
  onLines: (lines: TailLine[], inode: number) => void;
  onError?: (err: unknown) => void;
  /** Polling interval: log files on network shares and some container filesystems send no events. */
  pollMs?: number;
}

const MAX_READ = 4 * 1024 * 1024;

export class LogTailer {
  private watcher: FSWatcher | undefined;
  private readonly stateFile: string;
  private state: TailState | null;
  private busy = false;

  constructor(private readonly o: LogTailOptions) {
    const key = createHash('sha256').update(o.path).digest('hex').slice(0, 16);
    this.stateFile = join(o.stateDir, `tail-${key}.json`);
    this.state = existsSync(this.stateFile) ? (JSON.parse(readFileSync(this.stateFile, 'utf8')) as TailState) : null;
  }

  async start(): Promise<void> {
    // First run: start at the end of what is there; history before the agent was installed is not news.
    if (!this.state && existsSync(this.o.path)) {
      const st = statSync(this.o.path);
      this.state = { inode: st.ino, offset: st.size };
      this.save();
    }
    this.readNew();
    this.watcher = watch(this.o.path, { ignoreInitial: true, usePolling: true, interval: this.o.pollMs ?? 500 });
    this.watcher.on('all', () => this.readNew());
    this.watcher.on('error', (err) => this.o.onError?.(err));
    await new Promise<void>((r) => this.watcher!.once('ready', () => r()));
  }

  /** Reads whatever was appended since the last call. Safe to call at any time. */
  readNew(): void {
    if (this.busy || !existsSync(this.o.path)) return;
    this.busy = true;
    try {
      const st = statSync(this.o.path);
      if (!this.state || this.state.inode !== st.ino || st.size < this.state.offset) this.state = { inode: st.ino, offset: 0 };
      while (st.size > this.state.offset) {
        const len = Math.min(MAX_READ, st.size - this.state.offset);
        const buf = Buffer.alloc(len);
        const fd = openSync(this.o.path, 'r');
        let n = 0;
        try {
          n = readSync(fd, buf, 0, len, this.state.offset);
        } finally {
          closeSync(fd);
        }
        const chunk = buf.subarray(0, n);
        // Only whole lines are consumed: a line still being written is read again next time.
        const lastNl = chunk.lastIndexOf(0x0a);
        if (lastNl < 0) break;
        const lines: TailLine[] = [];
        let start = 0;
        for (let i = 0; i <= lastNl; i++) {
          if (chunk[i] !== 0x0a) continue;
          if (i > start) lines.push({ text: chunk.subarray(start, i).toString('utf8').replace(/\r$/, ''), offset: this.state.offset + start });
          start = i + 1;
        }
        this.state.offset += lastNl + 1;
        if (lines.length) this.o.onLines(lines, this.state.inode);
        this.save();
      }
    } catch (err) {
      this.o.onError?.(err);
    } finally {
      this.busy = false;
    }
  }

  private save(): void {
    writeFileDurable(this.stateFile, JSON.stringify(this.state));
  }

  async close(): Promise<void> {
    await this.watcher?.close();
  }
}
