// One local posture scan: runs each probe family under its own time budget, measures what the scan cost the
// host, and returns a Posture. Facts that could not be read are listed in agent.probeErrors, never guessed.
// On Linux the probes read /proc and run a few commands directly; Windows and macOS sources are selected by
// platform (probes/windows.ts, probes/darwin.ts).
import { OSUtils } from 'node-os-utils';
import type { Posture } from '../protocol/posture.js';
import { runWithBudget, type ProbeCost } from './probes/budget.js';

export type { ProbeCost } from './probes/budget.js';
import { realHost, type HostAccess } from './probes/host-access.js';
import { ProbeErrors } from './probes/probe-errors.js';
import { readProcessSnapshot } from './probes/linux-processes.js';
import { readHostInventory } from './probes/inventory/host.js';
import { readLinuxNetwork } from './probes/network/linux.js';
import { readLinuxAv, DEFAULT_MAX_SIGNATURE_AGE_HOURS } from './probes/av/linux.js';
import { readLinuxPatches } from './probes/patches/linux.js';
import { readLinuxHardening } from './probes/hardening/linux.js';
import { readWindowsPosture } from './probes/windows.js';
import { readDarwinAv, readDarwinHardening, readDarwinNetwork, readDarwinPatches } from './probes/darwin.js';

export interface ScanOptions {
  agentId: string;
  version: string;
  seq: number;
  avMaxSignatureAgeHours?: number;
  /** injected OS access for tests; the real host otherwise */
  host?: HostAccess;
  /** platform whose sources to use; the running one by default (tests inject another with `host`) */
  platform?: NodeJS.Platform;
  /** Windows: path of collect.ps1 and whether to skip the slow Windows Update search */
  windowsScript?: string;
  skipUpdateSearch?: boolean;
  /** per-probe budgets in ms, to override the defaults */
  budgets?: Partial<Record<ProbeName, number>>;
}

export type ProbeName = 'processes' | 'inventory' | 'network' | 'av' | 'patches' | 'hardening' | 'health' | 'windows';

export const DEFAULT_BUDGETS: Record<ProbeName, number> = {
  processes: 10_000,
  inventory: 15_000,
  network: 15_000,
  av: 25_000,
  patches: 45_000,
  hardening: 15_000,
  health: 5_000,
  windows: 200_000,
};

/** What each probe cost in the last scan of this process, for `agent scan --json` diagnostics and benchmarks. */
export let lastProbeCosts: ProbeCost[] = [];

export async function scanPosture(opts: ScanOptions): Promise<Posture> {
  return (await scanPostureDetailed(opts)).posture;
}

/** The posture plus what each probe cost (ms, and whether it finished within its budget). */
export async function scanPostureDetailed(opts: ScanOptions): Promise<{ posture: Posture; costs: ProbeCost[] }> {
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const now = new Date();
  const errors = new ProbeErrors();
  const costs: ProbeCost[] = [];
  const budget = (p: ProbeName) => opts.budgets?.[p] ?? DEFAULT_BUDGETS[p];
  const host = opts.host ?? realHost();
  const osu = new OSUtils();

  const inventoryP = runWithBudget('inventory', budget('inventory'), errors, costs, () => readHostInventory(errors, now));
  // Host load is sampled over ~200 ms by node-os-utils before the other probes start, so the figure is the
  // host's own load and not the scan's.
  const healthP = runWithBudget('health', budget('health'), errors, costs, async () => {
    const [cpu, mem] = await Promise.all([osu.cpu.usage(), osu.memory.info()]);
    const out: NonNullable<Posture['host']['health']> = {};
    if (cpu.success && typeof cpu.data === 'number') out.cpuLoadPercent = Math.max(0, cpu.data);
    else errors.add('host.health.cpuLoadPercent', cpu.success ? 'no value' : cpu.error.message);
    if (mem.success) {
      out.memoryTotalBytes = mem.data.total.bytes;
      out.memoryFreeBytes = mem.data.available.bytes;
    } else errors.add('host.health.memory', mem.error.message);
    return out;
  });

  await healthP;
  let platformSections: Pick<Posture, 'av' | 'patches' | 'network' | 'hardening'> = {};
  const platform = opts.platform ?? process.platform;
  const maxAge = opts.avMaxSignatureAgeHours ?? DEFAULT_MAX_SIGNATURE_AGE_HOURS;
  let windowsHost: Partial<Posture['host']> | undefined;
  let linuxRole: Posture['host']['role'] | undefined;
  if (platform === 'linux') {
    const procs = await runWithBudget('processes', budget('processes'), errors, costs, () => readProcessSnapshot(host, true));
    const [network, av, patches, linuxHardening] = await Promise.all([
      runWithBudget('network', budget('network'), errors, costs, () => readLinuxNetwork(host, procs, errors)),
      runWithBudget('av', budget('av'), errors, costs, () =>
        readLinuxAv(host, procs, { maxSignatureAgeHours: maxAge, now }),
      ),
      runWithBudget('patches', budget('patches'), errors, costs, () => readLinuxPatches(host, errors, now)),
      runWithBudget('hardening', budget('hardening'), errors, costs, () => readLinuxHardening(host, errors, procs)),
    ]);
    if (linuxHardening?.role) linuxRole = linuxHardening.role;
    const hardening = linuxHardening?.hardening;
    platformSections = {
      ...(network ? { network } : {}),
      ...(av ? { av } : {}),
      ...(patches ? { patches } : {}),
      ...(hardening ? { hardening } : {}),
    };
  } else if (platform === 'win32') {
    const win = await runWithBudget('windows', budget('windows'), errors, costs, () =>
      readWindowsPosture(host, {
        maxSignatureAgeHours: maxAge,
        ...(opts.windowsScript ? { scriptPath: opts.windowsScript } : {}),
        ...(opts.skipUpdateSearch ? { skipUpdateSearch: true } : {}),
        timeoutMs: budget('windows') - 1000,
      }),
    );
    if (win) {
      for (const e of win.probeErrors) errors.add(e.probe, e.error);
      for (const [probe, ms] of Object.entries(win.costMs)) costs.push({ probe: `windows.${probe}`, ms, ok: true });
      windowsHost = win.host;
      platformSections = {
        ...(win.network ? { network: win.network } : {}),
        ...(win.av ? { av: win.av } : {}),
        ...(win.patches ? { patches: win.patches } : {}),
        hardening: win.hardening,
      };
    }
  } else if (platform === 'darwin') {
    const [network, av, patches, hardening] = await Promise.all([
      runWithBudget('network', budget('network'), errors, costs, () => readDarwinNetwork(host, errors)),
      runWithBudget('av', budget('av'), errors, costs, () => readDarwinAv(host, now, maxAge)),
      runWithBudget('patches', budget('patches'), errors, costs, () => readDarwinPatches(host, errors)),
      runWithBudget('hardening', budget('hardening'), errors, costs, () => readDarwinHardening(host, errors)),
    ]);
    platformSections = {
      ...(network ? { network } : {}),
      ...(av ? { av } : {}),
      ...(patches ? { patches } : {}),
      ...(hardening ? { hardening } : {}),
    };
  } else {
    errors.add('scan', `no probe source for platform ${platform}: only linux, win32 and darwin have one`);
  }

  const [inventory, health] = await Promise.all([inventoryP, healthP]);
  const hostSection: Posture['host'] = inventory?.host ?? {
    hostname: 'unknown',
    os: { platform: 'other', family: '', name: '', version: '', build: '', kernel: '' },
    hardwareId: '',
    ips: [],
    macs: [],
  };
  // On Windows the script's registry/CIM facts (build + UBR, edition, MachineGuid) are more exact than si's.
  if (windowsHost) {
    const known = Object.entries(windowsHost).filter(([, v]) => v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0));
    Object.assign(hostSection, Object.fromEntries(known));
  }
  if (linuxRole) hostSection.role = linuxRole;
  if (health && Object.keys(health).length) hostSection.health = health;
  if (platformSections.network && inventory) platformSections.network.interfaces = inventory.interfaces;

  const scanMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  lastProbeCosts = costs;
  const posture: Posture = {
    agent: {
      id: opts.agentId,
      version: opts.version,
      seq: opts.seq,
      collectedAt: now.toISOString(),
      scanMs: Math.round(scanMs),
      // Peak resident set of this process (the agent's real footprint, including the scan's high-water mark).
      rssBytes: Math.max(process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024),
      // CPU time the agent used during the scan as a share of one core over the scan's wall time.
      cpuPercent: scanMs > 0 ? Math.round((((cpu.user + cpu.system) / 1000) / scanMs) * 1000) / 10 : 0,
      probeErrors: errors.list,
    },
    host: hostSection,
    ...platformSections,
  };
  return { posture, costs };
}
