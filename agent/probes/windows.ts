// Windows source: one run of agent/windows/collect.ps1 (one PowerShell start per scan; systeminformation
// would start one per call) whose single JSON document is mapped by windows/collect-json.ts.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HostAccess } from './host-access.js';
import { collectFrom, type WindowsCollect } from './windows/collect-json.js';
import { parsePsJson } from './windows/cim-json.js';

export interface WindowsSourceOptions {
  /** path of collect.ps1; defaults to the copy shipped beside the agent */
  scriptPath?: string;
  maxSignatureAgeHours: number;
  /** skip the Windows Update search (minutes on some machines); the agent runs it on a slower schedule */
  skipUpdateSearch?: boolean;
  timeoutMs?: number;
}

export function defaultCollectScript(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  // From source: agent/probes -> agent/windows. From the build (dist/agent/probes), tsc does not copy .ps1
  // files, so the script is found in the package's own agent/windows.
  const candidates = [path.join(here, '..', 'windows', 'collect.ps1'), path.join(here, '..', '..', '..', 'agent', 'windows', 'collect.ps1')];
  return candidates.find((c) => existsSync(c)) ?? candidates[0]!;
}

export async function readWindowsPosture(host: HostAccess, opts: WindowsSourceOptions): Promise<WindowsCollect> {
  const args = ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-File', opts.scriptPath ?? defaultCollectScript()];
  if (opts.skipUpdateSearch) args.push('-SkipUpdateSearch');
  const r = await host.exec('powershell.exe', args, { timeoutMs: opts.timeoutMs ?? 180_000 });
  if (r.code !== 0 && !r.stdout.trim()) {
    throw new Error(`collect.ps1 exited ${r.code}: ${r.stderr.trim().slice(0, 300) || 'no output'}`);
  }
  const doc = parsePsJson(r.stdout, 'collect.ps1');
  if (!doc || typeof doc !== 'object' || Array.isArray(doc) || (doc as { schema?: unknown }).schema !== 1) {
    throw new Error('collect.ps1 printed JSON without "schema": 1 (wrong script version?)');
  }
  return collectFrom(doc as Record<string, unknown>, opts.maxSignatureAgeHours);
}
