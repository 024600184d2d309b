// Child processes for the benchmarks: the real collector (or a bare fastify server) pinned to its own core,
// enrollment tokens, and CPU/RSS read from /proc/<pid>/stat so the figures are the collector's own.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { ROOT, nodeArgsFor } from './compiled-cli.js';

export { ROOT };

/**
 * Cores to use. The server under test (collector or bare fastify) may use every core, as it would in
 * production: the bare server's single JavaScript thread uses one, the collector also verifies signatures on
 * libuv's thread pool. The load generator is pinned to the last core and costs a few microseconds per request
 * (its CPU is printed), so it takes little from either server.
 */
export function coreSplit(): { server: string | null; load: string | null } {
  const n = cpus().length;
  const hasTaskset = existsSync('/usr/bin/taskset') || existsSync('/bin/taskset');
  if (n < 2 || !hasTaskset) return { server: null, load: null };
  return { server: `0-${n - 1}`, load: String(n - 1) };
}

/** Pins this process (the load generator) to the given cores. */
export function pinSelf(cores: string | null): void {
  if (cores) execFileSync('taskset', ['-a', '-cp', cores, String(process.pid)], { stdio: 'ignore' });
}

export interface ServerProcess {
  child: ChildProcess;
  pid: number;
  url: string;
  output: () => string;
  stop(): Promise<void>;
}

function spawnPinned(cores: string | null, args: string[], env: Record<string, string>): ChildProcess {
  const [cmd, argv] = cores ? ['taskset', ['-c', cores, process.execPath, ...args]] : [process.execPath, args];
  return spawn(cmd, argv, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

async function waitForUrl(child: ChildProcess, re: RegExp, what: string): Promise<{ url: string; output: () => string }> {
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  // A kept data dir from an older version is upgraded on start: at 100,000 agents that can take minutes.
  const started = Date.now();
  let told = 0;
  while (Date.now() - started < 15 * 60_000) {
    const m = re.exec(out);
    if (m) return { url: m[1]!, output: () => out };
    if (child.exitCode !== null) throw new Error(`${what} exited (${child.exitCode}):\n${out}`);
    const waited = Math.floor((Date.now() - started) / 60_000);
    if (waited > told) {
      told = waited;
      console.log(`  ${what} still starting after ${waited} min (upgrading a kept data dir's database can take minutes)`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not start within 15 min:\n${out}`);
}

export async function startCollector(o: { dataDir: string; port: number; cores: string | null; env?: Record<string, string>; nodeArgs?: string[] }): Promise<ServerProcess> {
  const child = spawnPinned(o.cores, [...(o.nodeArgs ?? []), ...nodeArgsFor('cli/main.ts'), 'collector', '--data-dir', o.dataDir, '--port', String(o.port)], {
    SOCLITE_LOG_LEVEL: 'warn',
    ...o.env,
  });
  const { url, output } = await waitForUrl(child, /^URL: (\S+)$/m, 'collector');
  return { child, pid: child.pid!, url, output, stop: () => stopChild(child) };
}

export async function startBareServer(o: { port: number; cores: string | null }): Promise<ServerProcess> {
  const child = spawnPinned(o.cores, [...nodeArgsFor('scripts/bench/lib/bare-server.ts'), String(o.port)], {});
  const { url, output } = await waitForUrl(child, /^URL: (\S+)$/m, 'bare fastify server');
  return { child, pid: child.pid!, url, output, stop: () => stopChild(child) };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

/** Creates an enrollment token with the CLI and writes it to a 0600 file; returns the file. */
export function createTokenFile(dataDir: string, file: string, maxUses = 1_000_000): string {
  const out = execFileSync(process.execPath, [...nodeArgsFor('cli/main.ts'), 'token', 'create', '--unit', 'default', '--max-uses', String(maxUses), '--data-dir', dataDir], {
    cwd: ROOT,
    env: { ...process.env, SOCLITE_LOG_LEVEL: 'warn' },
  }).toString();
  writeFileSync(file, out.trim().split('\n').pop()! + '\n', { mode: 0o600 });
  return file;
}

export function readToken(file: string): string {
  return readFileSync(file, 'utf8').trim();
}

const CLK_TCK = 100; // USER_HZ on Linux

/** utime+stime (seconds) and RSS (bytes) of a process, from /proc/<pid>/stat. */
export function procStat(pid: number): { cpuSec: number; rssBytes: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): utime is field 14, stime 15, rss 24 (pages).
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  const rssPages = Number(fields[21]);
  return { cpuSec: (utime + stime) / CLK_TCK, rssBytes: rssPages * 4096 };
}

/**
 * A thread's scheduler statistics (/proc/<pid>/task/<tid>/schedstat): seconds on a CPU and seconds spent
 * runnable but waiting for one. The wait is the time the thread lost to other processes on its cores.
 */
export function threadSchedStat(pid: number, tid = pid): { runSec: number; waitSec: number } {
  const [run, wait] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').trim().split(' ').map(Number);
  return { runSec: run! / 1e9, waitSec: wait! / 1e9 };
}

export function machineDescription(): string {
  const mem = readFileSync('/proc/meminfo', 'utf8').match(/MemTotal:\s+(\d+)/);
  return `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${mem ? Math.round(Number(mem[1]) / 1024 / 1024) : '?'} GB RAM, Node ${process.version}`;
}

/** A TCP port free on loopback right now (for a server started next). */
export async function freePort(): Promise<number> {
  const srv = createServer().listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as { port: number }).port;
  srv.close();
  return port;
}

/** A refused report is a finding, not noise: the server's warning and error log lines (pino levels 40-60), the last n. */
export function loggedProblems(output: string, n = 5): string {
  const logged = output.split('\n').filter((l) => /"level":(40|50|60)/.test(l));
  // Errors first, one line per distinct message with how often it came: the warnings they cause (sequence
  // gaps after refused reports) would otherwise fill the last lines.
  const byMessage = new Map<string, { count: number; line: string }>();
  for (const l of logged) {
    let entry: { level?: number; msg?: string; err?: { message?: string } };
    try {
      entry = JSON.parse(l) as typeof entry;
    } catch {
      continue;
    }
    if ((entry.level ?? 0) < 50) continue;
    const k = `${entry.msg ?? ''} ${entry.err?.message ?? ''}`;
    const seen = byMessage.get(k);
    if (seen) seen.count++;
    else byMessage.set(k, { count: 1, line: l });
  }
  const errors = [...byMessage.values()].map((x) => `  ${x.count} × ${x.line.slice(0, 1500)}`);
  return [
    `collector warnings and errors (${logged.length}; errors by message: ${errors.length}, then the last ${n} lines):`,
    ...errors,
    ...logged.slice(-n).map((l) => '  ' + l.slice(0, 600)),
  ].join('\n');
}
