// Linux AV/EDR source: ClamAV (processes + database headers), Microsoft Defender for Endpoint (mdatp), and the
// catalog of other agents (install markers + processes). Only reads and execs; judgement is in normalize.ts.
import { CommandNotFound, reasonOf, type HostAccess } from '../host-access.js';
import type { ProcessSnapshot } from '../linux-processes.js';
import { parseClamavDbHeader, type ClamavDbHeader } from './clamav-db.js';
import { LINUX_AV_CATALOG, processMatches } from './linux-catalog.js';
import { parseMdatpHealth } from './mdatp.js';
import { normalizeAv, type ProductFacts } from './normalize.js';
import { parseFalconctl } from './falconctl.js';
import { parseSentinelctl } from './sentinelctl.js';
import { parseWazuhAgentState } from './wazuh-state.js';
import { signatureAgeHours, type AvSection } from '../../../protocol/posture.js';

export const DEFAULT_MAX_SIGNATURE_AGE_HOURS = 48;
const CLAMAV_DB_DIR = '/var/lib/clamav';
const CLAMAV_BINARIES = ['/usr/bin/clamscan', '/usr/sbin/clamd', '/usr/bin/freshclam', '/usr/local/bin/clamscan', '/usr/local/sbin/clamd'];

export interface LinuxAvOptions {
  maxSignatureAgeHours: number;
  now: Date;
}

const running = (procs: ProcessSnapshot, names: string[]) => procs.processes.some((p) => names.some((n) => processMatches(n, p.comm, p.exe)));

/** The freshest header among daily.cld/daily.cvd (the daily stream), else main.*: that is the signature age. */
export async function readClamavDb(host: HostAccess, dir = CLAMAV_DB_DIR): Promise<{ file: string; header: ClamavDbHeader } | undefined> {
  let names: string[];
  try {
    names = await host.readDir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  for (const base of ['daily', 'main']) {
    const found: { file: string; header: ClamavDbHeader }[] = [];
    for (const ext of ['cld', 'cvd']) {
      if (!names.includes(`${base}.${ext}`)) continue;
      const file = `${dir}/${base}.${ext}`;
      found.push({ file, header: parseClamavDbHeader(await host.readFile(file, { maxBytes: 512 })) });
    }
    if (found.length) return found.sort((a, b) => b.header.builtAtEpoch - a.header.builtAtEpoch)[0];
  }
  return undefined;
}

async function clamav(host: HostAccess, procs: ProcessSnapshot, opts: LinuxAvOptions): Promise<ProductFacts | undefined> {
  const installed = (await Promise.all(CLAMAV_BINARIES.map((b) => host.exists(b)))).some(Boolean);
  const clamd = running(procs, ['clamd']);
  if (!installed && !clamd) return undefined;
  const p: ProductFacts = { name: 'ClamAV', vendor: 'Cisco Talos', kind: 'av', running: clamd, source: `/proc (clamd, clamonacc, freshclam), ${CLAMAV_DB_DIR}` };
  const issues: string[] = [];
  // clamd scans on request; only clamonacc gives on-access (real-time) scanning.
  p.realtime = running(procs, ['clamonacc']);
  if (!running(procs, ['freshclam'])) issues.push('freshclam (signature updater) not running');
  try {
    const db = await readClamavDb(host);
    if (!db) {
      issues.push(`no signature database in ${CLAMAV_DB_DIR}`);
      p.upToDate = false;
    } else {
      const built = new Date(db.header.builtAtEpoch * 1000);
      const ageH = Math.max(0, (opts.now.getTime() - built.getTime()) / 3_600_000);
      p.signatureAgeHours = signatureAgeHours(built.getTime(), opts.now.getTime());
      if (!Number.isNaN(built.getTime())) p.signaturesUpdatedAt = built.toISOString();
      p.signatureVersion = String(db.header.version);
      p.upToDate = ageH <= opts.maxSignatureAgeHours;
    }
  } catch (err) {
    issues.push(`signature database unreadable: ${reasonOf(err)}`);
  }
  p.issues = issues;
  return p;
}

async function defender(host: HostAccess, procs: ProcessSnapshot, opts: LinuxAvOptions): Promise<ProductFacts | undefined> {
  const daemon = running(procs, ['wdavdaemon']);
  let out;
  try {
    out = await host.exec('mdatp', ['health', '--output', 'json'], { timeoutMs: 15_000 });
  } catch (err) {
    if (err instanceof CommandNotFound && !daemon) return undefined;
    throw err;
  }
  const p: ProductFacts = { name: 'Microsoft Defender for Endpoint', vendor: 'Microsoft', kind: 'av+edr', running: daemon, source: 'mdatp health --output json' };
  if (out.code !== 0) {
    p.issues = [`mdatp health failed (exit ${out.code}): ${(out.stderr || out.stdout).trim().slice(0, 200)}`];
    return p;
  }
  const h = parseMdatpHealth(out.stdout);
  const issues: string[] = [];
  if (h.healthy === false) issues.push(`unhealthy: ${h.healthIssues.join('; ') || 'no issue listed'}`);
  if (h.licensed === false) issues.push('not licensed');
  p.running = true; // the daemon answered the health query
  if (h.realTimeProtection !== undefined) p.realtime = h.realTimeProtection;
  if (h.passiveMode !== undefined) p.passive = h.passiveMode;
  if (h.definitionsStatus !== undefined) p.upToDate = h.definitionsStatus === 'upToDate';
  if (h.definitionsUpdatedAt) {
    p.signatureAgeHours = signatureAgeHours(Date.parse(h.definitionsUpdatedAt), opts.now.getTime());
    p.signaturesUpdatedAt = h.definitionsUpdatedAt;
  }
  if (h.definitionsVersion) p.signatureVersion = h.definitionsVersion;
  if (h.tamperProtection !== undefined) p.tamperProtected = h.tamperProtection === 'block';
  if (h.managed !== undefined) p.managed = h.managed;
  p.issues = issues;
  return p;
}

export async function readLinuxAv(host: HostAccess, procs: ProcessSnapshot | undefined, opts: LinuxAvOptions): Promise<AvSection> {
  if (!procs) return normalizeAv([], ['process list unreadable']);
  const products: ProductFacts[] = [];
  const couldNotLook: string[] = [];
  for (const [name, probe] of [
    ['ClamAV', clamav],
    ['Microsoft Defender for Endpoint', defender],
  ] as const) {
    try {
      const p = await probe(host, procs, opts);
      if (p) products.push(p);
    } catch (err) {
      couldNotLook.push(`${name}: ${reasonOf(err)}`);
    }
  }
  for (const entry of LINUX_AV_CATALOG) {
    const isRunning = running(procs, entry.processes);
    const installed = (await Promise.all(entry.installMarkers.map((m) => host.exists(m)))).some(Boolean);
    if (!installed && !isRunning) continue;
    // A generic process name (e.g. Cortex's "pmd") only counts together with the vendor's install marker.
    if (!installed && entry.markerRequired) continue;
    const p: ProductFacts = {
      name: entry.name,
      vendor: entry.vendor,
      kind: entry.kind,
      running: isRunning,
      ...(entry.sensor && isRunning ? { realtime: true } : {}),
      sensor: entry.sensor,
      source: `/proc (${entry.processes.join(', ')}), ${entry.installMarkers.join(', ')}`.slice(0, 200),
    };
    const detail = VENDOR_DETAIL[entry.name];
    if (detail && installed) {
      try {
        await detail(host, p);
      } catch (err) {
        p.issues = [...(p.issues ?? []), `vendor status unreadable: ${reasonOf(err)}`];
      }
    }
    products.push(p);
  }
  return normalizeAv(products, couldNotLook);
}

/** Vendor tools that say more than "the process runs": reduced-functionality mode, disabled agent, no server. */
const VENDOR_DETAIL: Record<string, (host: HostAccess, p: ProductFacts) => Promise<void>> = {
  'CrowdStrike Falcon': async (host, p) => {
    const r = await host.exec('/opt/CrowdStrike/falconctl', ['-g', '--aid', '--rfm-state', '--rfm-reason', '--version'], { timeoutMs: 10_000 });
    if (r.code !== 0) throw new Error(`falconctl exited ${r.code}`);
    const f = parseFalconctl(r.stdout);
    p.source = `${p.source}, falconctl -g`.slice(0, 200);
    if (f.reducedFunctionality) p.issues = [...(p.issues ?? []), `reduced functionality mode${f.rfmReason ? ` (${f.rfmReason})` : ''}`];
    if (f.aidSet === false) p.issues = [...(p.issues ?? []), 'sensor not registered with the CrowdStrike cloud (no agent id)'];
    if (f.version) p.signatureVersion = f.version;
  },
  SentinelOne: async (host, p) => {
    const r = await host.exec('/opt/sentinelone/bin/sentinelctl', ['control', 'status'], { timeoutMs: 10_000 });
    if (r.code !== 0) throw new Error(`sentinelctl exited ${r.code}`);
    const s = parseSentinelctl(r.stdout);
    p.source = `${p.source}, sentinelctl control status`.slice(0, 200);
    if (s.agentEnabled === false) p.issues = [...(p.issues ?? []), 'agent state disabled'];
    if (s.antiTamper !== undefined) p.tamperProtected = s.antiTamper;
  },
  'Wazuh agent': async (host, p) => {
    const st = parseWazuhAgentState(await host.readFile('/var/ossec/var/run/wazuh-agentd.state', { maxBytes: 4096 }));
    p.source = `${p.source}, wazuh-agentd.state`.slice(0, 200);
    p.managed = st.status === 'connected';
    if (st.status !== 'connected') p.issues = [...(p.issues ?? []), `not connected to the Wazuh manager (${st.status})`];
  },
};
