// Every OS access a probe source needs, behind one small interface. Sources receive it as a parameter so
// tests can inject captured files and command outputs (the pattern GLPI, Kolide and Pareto use), and so the
// real implementation is the only place that touches child_process and fs.
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';

export interface ExecResult {
  stdout: string;
  stderr: string;
  /** Process exit code; null when the process was killed (timeout) or could not start. */
  code: number | null;
}

export interface HostAccess {
  /** Run a program directly (never through a shell) with a hard timeout. Rejects if it cannot start. */
  exec(file: string, args: string[], opts?: { timeoutMs?: number; maxBytes?: number }): Promise<ExecResult>;
  readFile(p: string, opts?: { maxBytes?: number }): Promise<string>;
  readDir(p: string): Promise<string[]>;
  readLink(p: string): Promise<string>;
  exists(p: string): Promise<boolean>;
  /** Modification time, or null when the file does not exist. */
  mtime(p: string): Promise<Date | null>;
}

/** Thrown when a command is absent (ENOENT), so callers can tell "not installed" from "failed". */
export class CommandNotFound extends Error {
  constructor(readonly command: string) {
    super(`${command}: not installed`);
  }
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;
const READ_CHUNK_BYTES = 64 * 1024;

/**
 * The real host. `root` prefixes every file path (not command paths) so a source can be pointed at a fixture
 * tree; commands run with LC_ALL=C because we parse their text and localised output would break the parsers.
 */
export function realHost(root = '/'): HostAccess {
  const at = (p: string) => (root === '/' ? p : path.join(root, p));
  return {
    exec(file, args, opts = {}) {
      return new Promise((resolve, reject) => {
        execFile(
          file,
          args,
          {
            timeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
            maxBuffer: opts.maxBytes ?? DEFAULT_MAX_BYTES,
            env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
            windowsHide: true,
            encoding: 'utf8',
          },
          (err, stdout, stderr) => {
            if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') return reject(new CommandNotFound(file));
            if (err && (err as { killed?: boolean }).killed) {
              return reject(new Error(`${file} timed out after ${opts.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`));
            }
            if (err && typeof (err as { code?: unknown }).code !== 'number') return reject(err);
            resolve({ stdout, stderr, code: err ? ((err as { code?: number }).code ?? null) : 0 });
          },
        );
      });
    },
    async readFile(p, opts = {}) {
      const max = opts.maxBytes ?? DEFAULT_MAX_BYTES;
      const fh = await fs.open(at(p), 'r');
      try {
        // Read in chunks until EOF or the cap: /proc files report size 0, so stat cannot tell the length, and
        // allocating the cap up front would put 16 MB into the agent's resident set for every small file read.
        const chunks: Buffer[] = [];
        let total = 0;
        while (total < max) {
          const chunk = Buffer.allocUnsafe(Math.min(READ_CHUNK_BYTES, max - total));
          const { bytesRead } = await fh.read(chunk, 0, chunk.length, null);
          if (bytesRead === 0) break;
          chunks.push(bytesRead === chunk.length ? chunk : chunk.subarray(0, bytesRead));
          total += bytesRead;
        }
        return Buffer.concat(chunks, total).toString('utf8');
      } finally {
        await fh.close();
      }
    },
    readDir: (p) => fs.readdir(at(p)),
    readLink: (p) => fs.readlink(at(p)),
    async exists(p) {
      try {
        await fs.access(at(p));
        return true;
      } catch {
        return false;
      }
    },
    async mtime(p) {
      try {
        return (await fs.stat(at(p))).mtime;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
    },
  };
}

/** Human reason for an error, for agent.probeErrors. */
export function reasonOf(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.length > 900 ? `${msg.slice(0, 900)}…` : msg;
}
