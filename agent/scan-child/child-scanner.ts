// The agent's scan function when each scan runs in its own process: runs the child, stamps the posture with this
// agent's id, sequence and version, and makes the cost figures honest for the whole agent (this process plus the
// scan child): rssBytes is this process's RSS plus the child's peak, cpuPercent is the CPU of both (and, on Linux,
// of the commands the child ran) over the child's wall time, scanMs is that wall time, Node start-up included.
// A scan that produced nothing usable becomes a posture with every section unknown and the reason, never a guess.
import type { Posture } from '../../protocol/posture.js';
import { childrenCpuSec, runScanChild, ScanChildError, type ScanChildOptions } from './run-scan-child.js';
import { unknownPosture } from './unknown-posture.js';

export interface ScanContext {
  agentId: string;
  version: string;
  seq: number;
}

export interface ChildScannerOptions {
  command: string;
  args: string[];
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
  onFailure?: (reason: string) => void;
  /** injected for tests */
  run?: (o: ScanChildOptions) => ReturnType<typeof runScanChild>;
}

export class ChildScanner {
  private lastHost: Posture['host'] | undefined;
  private lastHostAt: string | undefined;
  private readonly abort = new AbortController();

  constructor(private readonly o: ChildScannerOptions) {}

  /** Kills a scan in progress; later scans are not started. */
  stop(): void {
    this.abort.abort();
  }

  async scan(ctx: ScanContext): Promise<Posture> {
    const collectedAt = new Date();
    const cpuBefore = process.cpuUsage();
    const childrenBefore = childrenCpuSec();
    const started = performance.now();
    const run = this.o.run ?? runScanChild;
    try {
      const r = await run({ command: this.o.command, args: this.o.args, timeoutMs: this.o.timeoutMs, env: this.o.env, signal: this.abort.signal });
      const own = process.cpuUsage(cpuBefore);
      const ownSec = (own.user + own.system) / 1e6;
      const child = r.posture.agent;
      // Off Linux the child's own figure (CPU during its probes, not its commands) is the best measure there is.
      const childSec = childrenSince(childrenBefore) ?? (child.cpuPercent / 100) * (child.scanMs / 1000);
      const p = r.posture;
      p.agent = {
        ...child,
        id: ctx.agentId,
        version: ctx.version,
        seq: ctx.seq,
        scanMs: Math.round(r.wallMs),
        rssBytes: process.memoryUsage().rss + child.rssBytes,
        cpuPercent: percent(ownSec + childSec, r.wallMs),
      };
      this.lastHost = p.host;
      this.lastHostAt = p.agent.collectedAt;
      return p;
    } catch (err) {
      // A scan cut short because the agent is stopping says nothing about the host: no posture at all.
      if (!(err instanceof ScanChildError) || this.abort.signal.aborted) throw err;
      this.o.onFailure?.(err.message);
      const own = process.cpuUsage(cpuBefore);
      const wallMs = performance.now() - started;
      return unknownPosture({
        ...ctx,
        collectedAt,
        reason: err.message,
        ...(this.lastHost ? { lastHost: this.lastHost, lastHostAt: this.lastHostAt } : {}),
        cost: { scanMs: wallMs, rssBytes: process.memoryUsage().rss, cpuPercent: percent((own.user + own.system) / 1e6 + (childrenSince(childrenBefore) ?? 0), wallMs) },
      });
    }
  }
}

/** CPU seconds of the children reaped since `before` (the scan child and the commands it waited for). */
function childrenSince(before: number | null): number | null {
  const after = childrenCpuSec();
  return before !== null && after !== null ? Math.max(0, after - before) : null;
}

const percent = (cpuSec: number, wallMs: number) => (wallMs > 0 ? Math.round(((cpuSec * 1000) / wallMs) * 1000) / 10 : 0);
