// A HostAccess for tests: files and command outputs come from tables, so per-OS sources run anywhere.
// Anything not in the tables behaves as absent (ENOENT / command not installed), like a bare machine.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CommandNotFound, type ExecResult, type HostAccess } from '../../../agent/probes/host-access.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const fixture = (rel: string) => readFileSync(path.join(repoRoot, 'tests/fixtures', rel), 'utf8');
export const sharedRoot = path.resolve(repoRoot, '../shared');

const enoent = (p: string) => Object.assign(new Error(`ENOENT: no such file or directory, open '${p}'`), { code: 'ENOENT' });

export interface FakeHostSpec {
  files?: Record<string, string>;
  dirs?: Record<string, string[]>;
  /** key: "file arg1 arg2" */
  commands?: Record<string, Partial<ExecResult> | (() => Promise<ExecResult>)>;
}

export function fakeHost(spec: FakeHostSpec): HostAccess & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async exec(file, args) {
      const key = [file, ...args].join(' ');
      calls.push(key);
      const c = spec.commands?.[key];
      if (c === undefined) throw new CommandNotFound(file);
      if (typeof c === 'function') return c();
      return { stdout: c.stdout ?? '', stderr: c.stderr ?? '', code: c.code ?? 0 };
    },
    async readFile(p, opts) {
      const t = spec.files?.[p];
      if (t === undefined) throw enoent(p);
      return opts?.maxBytes ? t.slice(0, opts.maxBytes) : t;
    },
    async readDir(p) {
      const d = spec.dirs?.[p];
      if (!d) throw enoent(p);
      return d;
    },
    async readLink(p) {
      throw enoent(p);
    },
    async exists(p) {
      return spec.files?.[p] !== undefined || spec.dirs?.[p] !== undefined;
    },
    async mtime(p) {
      return spec.files?.[p] !== undefined ? new Date('2026-11-20T00:00:00Z') : null;
    },
  };
}
