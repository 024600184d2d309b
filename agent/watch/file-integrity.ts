// File integrity monitoring of critical files (hosts, passwd/shadow/group, sudoers, sshd config, autorun
// locations). It watches the parent directories, not the files: editors and package managers save by writing a
// new file and renaming it over the old one, which a watch on the old inode never sees. The baseline of hashes is
// persisted, so changes made while the agent was stopped are reported at its next start.
import { watch, type FSWatcher } from 'chokidar';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { FileChanged } from '../../protocol/index.js';
import { writeFileDurable } from '../transport/durable-file.js';
import { sha256File } from './file-hash.js';
import { diffHashes, type HashMap } from './integrity-diff.js';

export const DEFAULT_LINUX_FIM_PATHS = [
  '/etc/hosts',
  '/etc/passwd',
  '/etc/shadow',
  '/etc/group',
  '/etc/sudoers',
  '/etc/sudoers.d',
  '/etc/ssh/sshd_config',
  '/etc/crontab',
  '/etc/cron.d',
  '/etc/rc.local',
  '/etc/systemd/system',
  '/etc/ld.so.preload',
];

export const DEFAULT_WINDOWS_FIM_PATHS = [
  'C:\\Windows\\System32\\drivers\\etc\\hosts',
  'C:\\ProgramData\\Microsoft\\Windows\\Start Menu\\Programs\\StartUp',
];

export interface FileIntegrityOptions {
  /** Files, or directories whose direct children are all watched. */
  paths: string[];
  stateDir: string;
  onChange: (event: FileChanged) => void;
  onError?: (err: unknown) => void;
}

export class FileIntegrityWatcher {
  private watcher: FSWatcher | undefined;
  private baseline: HashMap = {};
  private readonly baselineFile: string;
  private readonly files = new Set<string>();
  private readonly dirs = new Set<string>();
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly o: FileIntegrityOptions) {
    this.baselineFile = join(o.stateDir, 'fim-baseline.json');
    for (const p of o.paths.map((x) => resolve(x))) {
      if (existsSync(p) && statSync(p).isDirectory()) this.dirs.add(p);
      else this.files.add(p);
    }
  }

  /** Whether a path is one we monitor: a listed file or a direct child of a listed directory. */
  private covers(path: string): boolean {
    return this.files.has(path) || this.dirs.has(dirname(path));
  }

  private currentPaths(): string[] {
    const out = [...this.files];
    for (const d of this.dirs) {
      try {
        for (const f of readdirSync(d)) out.push(join(d, f));
      } catch {
        /* an unreadable directory is reported by its absence of events; nothing to hash */
      }
    }
    return out;
  }

  async start(): Promise<void> {
    const known = existsSync(this.baselineFile) ? (JSON.parse(readFileSync(this.baselineFile, 'utf8')) as HashMap) : null;
    const current: HashMap = {};
    for (const p of this.currentPaths()) current[p] = await sha256File(p).catch(() => null);
    if (known) {
      // What changed while we were not running; deleted files are those in the baseline no longer present.
      for (const p of Object.keys(known)) if (!(p in current) && this.covers(p)) current[p] = null;
      this.baseline = known;
      for (const c of diffHashes(known, current)) this.emit(c);
    }
    this.baseline = Object.fromEntries(Object.entries(current).filter(([, v]) => v !== null));
    this.save();
    const watchDirs = new Set<string>([...this.dirs, ...[...this.files].map((f) => dirname(f))]);
    this.watcher = watch([...watchDirs].filter((d) => existsSync(d)), { ignoreInitial: true, depth: 0, awaitWriteFinish: false, atomic: true });
    this.watcher.on('all', (_event, path) => {
      const p = resolve(String(path));
      if (!this.covers(p)) return;
      this.queue = this.queue.then(() => this.check(p)).catch((err) => this.o.onError?.(err));
    });
    this.watcher.on('error', (err) => this.o.onError?.(err));
    await new Promise<void>((r) => this.watcher!.once('ready', () => r()));
  }

  private async check(path: string): Promise<void> {
    const now = await sha256File(path).catch(() => null);
    const before = this.baseline[path] ?? null;
    if (now === before) return;
    for (const c of diffHashes({ [path]: before }, { [path]: now })) this.emit(c);
    if (now === null) delete this.baseline[path];
    else this.baseline[path] = now;
    this.save();
  }

  private emit(c: ReturnType<typeof diffHashes>[number]): void {
    this.o.onChange({
      id: randomBytes(12).toString('base64url'),
      type: 'file_changed',
      at: new Date().toISOString(),
      data: { path: c.path.slice(0, 4096), change: c.change, ...(c.oldSha256 ? { oldSha256: c.oldSha256 } : {}), ...(c.newSha256 ? { newSha256: c.newSha256 } : {}) },
    });
  }

  private save(): void {
    writeFileDurable(this.baselineFile, JSON.stringify(this.baseline));
  }

  async close(): Promise<void> {
    await this.watcher?.close();
    await this.queue;
  }
}
