// macOS source: firewall (socketfilterfw), FileVault (fdesetup), pending updates (softwareupdate --no-scan,
// the cached list: a network scan is slow and runs on the OS's own schedule), listening sockets (lsof),
// AV/EDR (Defender via mdatp, XProtect version, launchd jobs of known agents). Commands only; parsing is in
// darwin/*.ts and av/*.ts.
import type { AvSection, HardeningSection, NetworkSection, PatchesSection } from '../../protocol/posture.js';
import { CommandNotFound, reasonOf, type HostAccess } from './host-access.js';
import type { ProbeErrors } from './probe-errors.js';
import { parseSocketfilterfw } from './darwin/socketfilterfw.js';
import { parseFdesetupStatus } from './darwin/fdesetup.js';
import { parseSoftwareupdateList } from './darwin/softwareupdate.js';
import { parseLaunchctlList } from './darwin/launchctl.js';
import { parseLsofListen } from './darwin/lsof.js';
import { parseMdatpHealth } from './av/mdatp.js';
import { normalizeAv, type ProductFacts } from './av/normalize.js';
import { isLoopback } from './network/ip-text.js';
import { parseNetstatRn } from './network/netstat-rn.js';

export const MAC_LAUNCHD_AGENTS: { label: RegExp; name: string; vendor: string; kind: 'av' | 'edr' | 'av+edr' }[] = [
  { label: /^com\.crowdstrike\.falcond$/, name: 'CrowdStrike Falcon', vendor: 'CrowdStrike', kind: 'av+edr' },
  { label: /^com\.sentinelone\.sentineld$/, name: 'SentinelOne', vendor: 'SentinelOne', kind: 'av+edr' },
  { label: /^com\.paloaltonetworks\.cortex\.(pmd|traps)/, name: 'Cortex XDR', vendor: 'Palo Alto Networks', kind: 'av+edr' },
  { label: /^com\.sophos\./, name: 'Sophos Endpoint', vendor: 'Sophos', kind: 'av+edr' },
  { label: /^com\.eset\./, name: 'ESET Endpoint Security', vendor: 'ESET', kind: 'av' },
];

async function run(host: HostAccess, cmd: string, args: string[], timeoutMs = 15_000): Promise<string> {
  const r = await host.exec(cmd, args, { timeoutMs });
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.code}: ${(r.stderr || r.stdout).trim().slice(0, 200)}`);
  return r.stdout;
}

export async function readDarwinNetwork(host: HostAccess, errors: ProbeErrors): Promise<NetworkSection> {
  const section: NetworkSection = { listening: [], interfaces: [], defaultGateways: [] };
  try {
    // lsof exits 1 with no output when no socket matches: that is "no listeners", not a failure.
    const r = await host.exec('lsof', ['-nP', '-iTCP', '-sTCP:LISTEN', '-iUDP', '-F', 'pcPtn'], { timeoutMs: 15_000 });
    if (r.code !== 0 && !(r.code === 1 && !r.stdout.trim() && !r.stderr.trim())) throw new Error(`lsof exited ${r.code}: ${r.stderr.trim().slice(0, 200)}`);
    const out = parseLsofListen(r.stdout);
    const seen = new Set<string>();
    for (const s of out) {
      const k = `${s.proto} ${s.address} ${s.port} ${s.pid}`;
      if (seen.has(k)) continue;
      seen.add(k);
      section.listening.push({ proto: s.proto, address: s.address, port: s.port, pid: s.pid, process: s.command.slice(0, 256), exposed: !isLoopback(s.address) });
    }
  } catch (err) {
    errors.add('network.listening', err);
  }
  try {
    const fw = parseSocketfilterfw(await run(host, '/usr/libexec/ApplicationFirewall/socketfilterfw', ['--getglobalstate', '--getblockall', '--getstealthmode']));
    section.firewall = {
      ...(fw.enabled !== undefined ? { enabled: fw.enabled } : {}),
      defaultInbound: fw.blockAll ? 'deny' : fw.enabled ? 'unknown' : 'allow',
      profiles: [],
      source: 'socketfilterfw --getglobalstate --getblockall --getstealthmode',
    };
  } catch (err) {
    errors.add('network.firewall', err);
  }
  try {
    section.defaultGateways = parseNetstatRn(await run(host, 'netstat', ['-rn', '-f', 'inet'])).defaultGateways.map((g) => g.gateway).slice(0, 16);
  } catch (err) {
    errors.add('network.defaultGateways', err);
  }
  return section;
}

export async function readDarwinHardening(host: HostAccess, errors: ProbeErrors): Promise<HardeningSection> {
  const h: HardeningSection = {};
  try {
    const fv = parseFdesetupStatus(await run(host, 'fdesetup', ['status']));
    h.diskEncryption = { enabled: fv.enabled && fv.inProgress !== 'decrypting', source: 'fdesetup status' };
  } catch (err) {
    errors.add('hardening.diskEncryption', err);
  }
  return h;
}

export async function readDarwinPatches(host: HostAccess, errors: ProbeErrors): Promise<PatchesSection | undefined> {
  try {
    // softwareupdate prints the list on stdout and "No new software available." on stderr.
    const r = await host.exec('softwareupdate', ['--list', '--no-scan'], { timeoutMs: 60_000 });
    const list = parseSoftwareupdateList(`${r.stdout}\n${r.stderr}`);
    return {
      pendingTotal: list.total,
      pendingSecurity: list.security,
      rebootRequired: list.restartRequired,
      pending: list.updates.slice(0, 5000).map((u) => ({ name: u.label.slice(0, 200), ...(u.version ? { version: u.version.slice(0, 128) } : {}), security: u.security })),
      source: 'softwareupdate --list --no-scan',
    };
  } catch (err) {
    errors.add('patches', err);
    return undefined;
  }
}

export async function readDarwinAv(host: HostAccess, now: Date, maxSignatureAgeHours: number): Promise<AvSection> {
  const products: ProductFacts[] = [];
  const couldNotLook: string[] = [];
  try {
    const r = await host.exec('/usr/local/bin/mdatp', ['health', '--output', 'json'], { timeoutMs: 15_000 });
    if (r.code === 0) {
      const h = parseMdatpHealth(r.stdout);
      const p: ProductFacts = { name: 'Microsoft Defender for Endpoint', vendor: 'Microsoft', kind: 'av+edr', running: true, source: 'mdatp health --output json' };
      if (h.realTimeProtection !== undefined) p.realtime = h.realTimeProtection;
      if (h.passiveMode !== undefined) p.passive = h.passiveMode;
      if (h.definitionsStatus) p.upToDate = h.definitionsStatus === 'upToDate';
      if (h.definitionsUpdatedAt) {
        p.signatureAgeHours = Math.max(0, (now.getTime() - Date.parse(h.definitionsUpdatedAt)) / 3_600_000);
        p.signaturesUpdatedAt = h.definitionsUpdatedAt;
      }
      if (p.signatureAgeHours !== undefined && p.signatureAgeHours > maxSignatureAgeHours) p.upToDate = false;
      if (h.healthy === false) p.issues = [`unhealthy: ${h.healthIssues.join('; ')}`];
      products.push(p);
    } else couldNotLook.push(`mdatp health exited ${r.code}`);
  } catch (err) {
    if (!(err instanceof CommandNotFound)) couldNotLook.push(`Microsoft Defender: ${reasonOf(err)}`);
  }
  try {
    const jobs = parseLaunchctlList(await run(host, 'launchctl', ['list']));
    for (const a of MAC_LAUNCHD_AGENTS) {
      const job = jobs.find((j) => a.label.test(j.label));
      if (!job || products.some((p) => p.name === a.name)) continue;
      products.push({ name: a.name, vendor: a.vendor, kind: a.kind, running: job.running, ...(job.running ? { realtime: true } : {}), sensor: true, source: `launchctl list (${job.label})`.slice(0, 200) });
    }
  } catch (err) {
    couldNotLook.push(`launchd jobs: ${reasonOf(err)}`);
  }
  // XProtect is always present and updated by Apple; it scans on launch, not a full real-time AV, so it is
  // reported for the record and does not by itself make the host protected.
  try {
    const plist = await host.readFile('/Library/Apple/System/Library/CoreServices/XProtect.bundle/Contents/Info.plist', { maxBytes: 65536 });
    const v = /<key>CFBundleShortVersionString<\/key>\s*<string>([^<]{1,64})<\/string>/.exec(plist);
    products.push({ name: 'XProtect', vendor: 'Apple', kind: 'av', running: true, realtime: true, sensor: true, issues: ['built-in malware blocker only'], ...(v ? { signatureVersion: v[1]! } : {}), source: 'XProtect.bundle Info.plist' });
  } catch (err) {
    couldNotLook.push(`XProtect: ${reasonOf(err)}`);
  }
  return normalizeAv(products, couldNotLook);
}
