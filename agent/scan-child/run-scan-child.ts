// Runs one posture scan in a short-lived child process (`soclite agent scan --json`) and reads its result, so the
// long-lived agent never loads the probes, systeminformation or node-os-utils, and the memory a scan allocates
// goes back to the system when the child exits (the way osquery/orbit-style agents isolate collection).
// The child is killed, with the commands it started, when it overruns its time limit or when the agent stops.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Posture } from '../../protocol/posture.js';
import { parseScanOutput, ScanOutputError } from './scan-output.js';

/** A scan that produced no usable posture; the message is the reason reported in agent.probeErrors. */
export class ScanChildError extends Error {}

export interface ScanChildOptions {
  command: string;
  args: string[];
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
  /** A posture is a few hundred KB at most; more is not one. */
  maxOutputBytes?: number;
  signal?: AbortSignal;
}

export interface ScanChildResult {
  posture: Posture;
  /** spawn to exit, Node start-up included */
  wallMs: number;
}

const CLK_TCK = 100; // USER_HZ on Linux

/** CPU of this process's waited-for children so far (cutime+cstime of /proc/self/stat), in seconds; null off Linux. */
export function childrenCpuSec(): number | null {
  if (process.platform !== 'linux') return null;
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // f[0] is field 3 (state); cutime is field 16, cstime 17.
    const v = (Number(f[13]) + Number(f[14])) / CLK_TCK;
    return Number.isFinite(v) ? v : null;
  } catch {
    return null;
  }
}

/** Kills the child and the probe commands it started: its process group on POSIX, its process tree on Windows. */
function killTree(pid: number | undefined, kill: () => void): void {
  if (pid && process.platform === 'win32') {
    // TerminateProcess (child.kill) would leave a running powershell.exe behind.
    spawn('taskkill', ['/pid', String(pid), '/T', '/F'], { stdio: 'ignore', windowsHide: true }).on('error', kill);
    return;
  }
  if (pid) {
    try {
      process.kill(-pid, 'SIGKILL');
      return;
    } catch {
      /* group already gone: fall through to the child itself */
    }
  }
  kill();
}

export function runScanChild(o: ScanChildOptions): Promise<ScanChildResult> {
  const maxOut = o.maxOutputBytes ?? 8 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    if (o.signal?.aborted) return reject(new ScanChildError('scan not started: the agent is stopping'));
    const started = performance.now();
    const child = spawn(o.command, o.args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: o.env ?? process.env,
      // Its own process group, so a timeout can take the commands it started down with it.
      detached: process.platform !== 'win32',
      windowsHide: true,
    });
    const out: Buffer[] = [];
    let outBytes = 0;
    let errTail = '';
    let failure: string | undefined;
    const stop = (reason: string) => {
      if (failure) return;
      failure = reason;
      killTree(child.pid, () => child.kill('SIGKILL'));
    };
    const timer = setTimeout(() => stop(`scan child did not finish within ${Math.round(o.timeoutMs / 1000)} s and was killed`), o.timeoutMs);
    const onAbort = () => stop('scan child killed: the agent is stopping');
    o.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout!.on('data', (d: Buffer) => {
      outBytes += d.length;
      if (outBytes > maxOut) return stop(`scan child printed more than ${maxOut} bytes and was killed`);
      out.push(d);
    });
    child.stderr!.on('data', (d: Buffer) => {
      errTail = (errTail + d.toString('utf8')).slice(-500);
    });
    let settled = false;
    child.on('error', (err) => {
      failure ??= `scan child could not be started: ${err.message}`;
      // Never spawned: no 'close' is sure to follow.
      if (child.pid === undefined) finish(null, null);
    });
    // A grandchild that escaped the group could hold the pipes open after the child is gone; stop waiting for it.
    child.on('exit', () => {
      setTimeout(() => {
        child.stdout!.destroy();
        child.stderr!.destroy();
      }, 2000).unref();
    });
    child.on('close', (code, sig) => finish(code, sig));
    function finish(code: number | null, sig: NodeJS.Signals | null): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      const wallMs = performance.now() - started;
      if (failure) return reject(new ScanChildError(failure));
      if (code !== 0) {
        const why = sig ? `was killed by ${sig}` : `exited with code ${code}`;
        return reject(new ScanChildError(`scan child ${why}${errTail.trim() ? `: ${errTail.trim().split('\n').slice(-3).join(' | ')}` : ''}`));
      }
      try {
        resolve({ posture: parseScanOutput(Buffer.concat(out).toString('utf8')), wallMs });
      } catch (err) {
        reject(err instanceof ScanOutputError ? new ScanChildError(err.message) : err);
      }
    }
  });
}
