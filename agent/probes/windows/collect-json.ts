// Pure mapping of collect.ps1's JSON document to posture sections. The document comes from a script on the
// endpoint: every field is checked for type and bounded, unknown fields are ignored, and each section the
// script could not read arrives as an entry in probeErrors.
import type { AvSection, FirewallSection, HardeningSection, HostSection, ListeningSocket, NetworkSection, PatchesSection, ProbeError } from '../../../protocol/posture.js';
import { normalizeAv, type ProductFacts } from '../av/normalize.js';
import { hardwareIdFrom } from '../inventory/hardware-id.js';
import { isLoopback } from '../network/ip-text.js';
import { asList, bool, int, parsePsJson, psDate, str } from './cim-json.js';
import { firewallProfilesFrom, windowsFirewallSection } from './firewall-profile.js';
import { mpStatusFrom, type MpComputerStatus } from './mp-computer-status.js';
import { securityCenterFrom, type WscProduct } from './security-center.js';

export interface WindowsCollect {
  psVersion?: string;
  languageMode?: string;
  host: Partial<HostSection>;
  av?: AvSection;
  patches?: PatchesSection;
  network?: NetworkSection;
  hardening: HardeningSection;
  probeErrors: ProbeError[];
  costMs: Record<string, number>;
}

const DEFENDER = /defender/i;

/** Windows AV verdict: WSC when present (desktop SKUs), else Defender status and known services (Server). */
export function windowsAvProducts(wsc: WscProduct[] | undefined, mp: MpComputerStatus | undefined, services: Record<string, unknown>[], maxAgeHours = 48): ProductFacts[] {
  const products: ProductFacts[] = [];
  const avs = (wsc ?? []).filter((p) => p.category === 'antivirus');
  const thirdPartyOn = avs.some((p) => !p.state.microsoft && p.state.enabled);
  for (const p of avs) {
    const isDefender = p.state.microsoft && DEFENDER.test(p.name);
    const f: ProductFacts = {
      name: p.name.slice(0, 200),
      vendor: p.state.microsoft ? 'Microsoft' : 'third party (per Windows Security Center)',
      kind: 'av',
      running: p.state.enabled,
      realtime: p.state.enabled,
      upToDate: p.state.upToDate,
      source: `root/SecurityCenter2 AntiVirusProduct productState ${p.state.hex}`,
    };
    if (p.state.state === 'snoozed' || p.state.state === 'expired') f.issues = [`Security Center reports ${p.state.state}`];
    // Defender switched off by WSC because another AV is on is passive mode, the designed behaviour.
    if (isDefender && !p.state.enabled && thirdPartyOn) {
      f.passive = true;
      f.running = true;
      delete f.realtime;
    }
    if (isDefender && mp) enrichFromDefender(f, mp, maxAgeHours);
    products.push(f);
  }
  if (!avs.length && mp) {
    const f: ProductFacts = { name: 'Microsoft Defender Antivirus', vendor: 'Microsoft', kind: 'av', source: 'Get-MpComputerStatus' };
    enrichFromDefender(f, mp, maxAgeHours);
    products.push(f);
  }
  for (const s of services.slice(0, 64)) {
    const name = str(s.name, 64);
    const status = str(s.status, 32);
    // Defender's own service is already judged through Security Center / Get-MpComputerStatus.
    if (!name || (name === 'WinDefend' && (avs.length || mp))) continue;
    const known = SERVICE_PRODUCTS[name];
    if (!known || products.some((p) => p.name === known.name)) continue;
    products.push({ name: known.name, vendor: known.vendor, kind: known.kind, running: status === 'Running', ...(status === 'Running' ? { realtime: true } : {}), sensor: true, source: `Get-Service ${name}` });
  }
  return products;
}

const SERVICE_PRODUCTS: Record<string, { name: string; vendor: string; kind: 'av' | 'edr' | 'av+edr' }> = {
  CSFalconService: { name: 'CrowdStrike Falcon', vendor: 'CrowdStrike', kind: 'av+edr' },
  SentinelAgent: { name: 'SentinelOne', vendor: 'SentinelOne', kind: 'av+edr' },
  ekrn: { name: 'ESET Security', vendor: 'ESET', kind: 'av' },
  AVP: { name: 'Kaspersky Endpoint Security', vendor: 'Kaspersky', kind: 'av' },
  KAVFS: { name: 'Kaspersky Security for Windows Server', vendor: 'Kaspersky', kind: 'av' },
  EPSecurityService: { name: 'Bitdefender Endpoint Security', vendor: 'Bitdefender', kind: 'av+edr' },
  SepMasterService: { name: 'Symantec Endpoint Protection', vendor: 'Broadcom', kind: 'av' },
  ntrtscan: { name: 'Trend Micro Apex One', vendor: 'Trend Micro', kind: 'av' },
  masvc: { name: 'Trellix Agent', vendor: 'Trellix', kind: 'av' },
  cyserver: { name: 'Cortex XDR', vendor: 'Palo Alto Networks', kind: 'av+edr' },
  Sense: { name: 'Microsoft Defender for Endpoint (EDR sensor)', vendor: 'Microsoft', kind: 'edr' },
  Sysmon: { name: 'Sysmon', vendor: 'Microsoft', kind: 'edr' },
  Sysmon64: { name: 'Sysmon', vendor: 'Microsoft', kind: 'edr' },
  BkavService: { name: 'Bkav Endpoint', vendor: 'Bkav', kind: 'av' },
  BkavProService: { name: 'BkavPro', vendor: 'Bkav', kind: 'av' },
};

function enrichFromDefender(f: ProductFacts, mp: MpComputerStatus, maxAgeHours: number): void {
  f.source = `${f.source}, Get-MpComputerStatus`.slice(0, 200);
  if (mp.serviceEnabled !== undefined && f.running === undefined) f.running = mp.serviceEnabled;
  if (mp.passive) f.passive = true;
  else if (mp.realTimeProtection !== undefined) f.realtime = mp.realTimeProtection;
  if (mp.tamperProtected !== undefined) f.tamperProtected = mp.tamperProtected;
  if (mp.signatureVersion) f.signatureVersion = mp.signatureVersion;
  if (mp.signatureAgeDays !== undefined) f.signatureAgeHours = mp.signatureAgeDays * 24;
  if (mp.signatureUpdatedAt) f.signaturesUpdatedAt = mp.signatureUpdatedAt;
  if (mp.signaturesOutOfDate !== undefined) f.upToDate = !mp.signaturesOutOfDate && (f.signatureAgeHours === undefined || f.signatureAgeHours <= Math.max(maxAgeHours, 24));
}

export function parseCollectJson(text: string): WindowsCollect {
  const doc = parsePsJson(text, 'collect.ps1');
  if (!doc || typeof doc !== 'object' || Array.isArray(doc) || (doc as { schema?: unknown }).schema !== 1) {
    throw new Error('not collect.ps1 output: a JSON object with "schema": 1 expected');
  }
  return collectFrom(doc as Record<string, unknown>);
}

export function collectFrom(d: Record<string, unknown>, maxAgeHours = 48): WindowsCollect {
  const probeErrors: ProbeError[] = [];
  const err = (probe: string, e: unknown) => probeErrors.push({ probe: probe.slice(0, 100), error: (e instanceof Error ? e.message : String(e)).slice(0, 1000) });
  for (const e of asList(d.errors)) err(`windows.${str(e.section, 60) ?? 'unknown'}`, str(e.error, 900) ?? 'failed');
  const failed = (section: string) => asList(d.errors).some((e) => e.section === section);
  const costMs: Record<string, number> = {};
  if (d.costMs && typeof d.costMs === 'object') for (const [k, v] of Object.entries(d.costMs)) if (typeof v === 'number') costMs[k.slice(0, 40)] = v;

  // host
  const host: Partial<HostSection> = {};
  const os = d.os as Record<string, unknown> | undefined;
  if (os && typeof os === 'object') {
    const build = str(os.build, 20) ?? '';
    const ubr = int(os.ubr);
    host.hostname = str(os.hostname, 255) ?? '';
    host.os = {
      platform: 'windows',
      family: /server/i.test(str(os.installationType, 32) ?? '') ? 'windows-server' : 'windows',
      name: str(os.caption, 128) ?? 'Windows',
      version: str(os.displayVersion, 64) ?? str(os.version, 64) ?? '',
      build: ubr !== undefined && build ? `${build}.${ubr}` : build,
      kernel: str(os.version, 128) ?? '',
    };
    host.role = int(os.productType) === 1 ? 'workstation' : 'server';
    const boot = psDate(os.lastBootUpTime);
    if (boot) host.bootAt = boot;
  }
  const guid = str(d.machineGuid, 64);
  if (guid) {
    try {
      host.hardwareId = hardwareIdFrom(guid);
    } catch (e) {
      err('host.hardwareId', e);
    }
  }
  const net = d.network as Record<string, unknown> | undefined;
  const strings = (v: unknown, max: number, n: number) => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]).filter((x): x is string => typeof x === 'string').map((s) => s.slice(0, max)).slice(0, n);
  if (net) {
    host.ips = strings(net.ips, 64, 256);
    host.macs = strings(net.macs, 32, 256).map((m) => m.replace(/-/g, ':').toLowerCase());
  }

  // av
  let wsc: WscProduct[] | undefined;
  let mp: MpComputerStatus | undefined;
  try {
    if (d.wsc) wsc = securityCenterFrom(d.wsc);
  } catch (e) {
    err('av.wsc', e);
  }
  try {
    if (d.defender) mp = mpStatusFrom(d.defender);
  } catch (e) {
    err('av.defender', e);
  }
  const couldNotLook = [...(failed('wsc') && !mp ? ['Windows Security Center'] : []), ...(failed('defender') && !wsc ? ['Microsoft Defender status'] : [])];
  const av = wsc || mp || asList(d.avServices).length || couldNotLook.length ? normalizeAv(windowsAvProducts(wsc, mp, asList(d.avServices), maxAgeHours), couldNotLook) : undefined;

  // network
  let network: NetworkSection | undefined;
  const listen = d.listen as Record<string, unknown> | undefined;
  if (listen) {
    const names = new Map<number, string>();
    for (const p of asList(listen.processes)) {
      const id = int(p.Id);
      const n = str(p.ProcessName, 256);
      if (id !== undefined && n) names.set(id, n);
    }
    const listening: ListeningSocket[] = [];
    for (const [proto, rows] of [
      ['tcp', listen.tcp],
      ['udp', listen.udp],
    ] as const) {
      for (const r of asList(rows)) {
        const address = str(r.LocalAddress, 64);
        const port = int(r.LocalPort);
        if (!address || port === undefined || port > 65535) continue;
        const pid = int(r.OwningProcess);
        const name = pid !== undefined ? names.get(pid) : undefined;
        listening.push({ proto, address, port, exposed: !isLoopback(address), ...(pid !== undefined ? { pid } : {}), ...(name ? { process: name } : {}) });
      }
    }
    network = { listening: listening.slice(0, 4096), interfaces: [], defaultGateways: net ? strings(net.defaultGateways, 64, 16) : [] };
  }
  let firewall: FirewallSection | undefined;
  try {
    if (d.firewall) firewall = windowsFirewallSection(firewallProfilesFrom(d.firewall), 'Get-NetFirewallProfile -PolicyStore ActiveStore');
  } catch (e) {
    err('network.firewall', e);
  }
  if (firewall) network = { ...(network ?? { listening: [], interfaces: [], defaultGateways: [] }), firewall };

  // patches
  let patches: PatchesSection | undefined;
  const up = d.updates as Record<string, unknown> | undefined;
  if (up && typeof up === 'object') {
    patches = { source: 'Windows Update Agent (Microsoft.Update.AutoUpdate, UpdateSearcher)' };
    if (Array.isArray(up.pending)) {
      const pending = asList(up.pending).map((u) => ({ name: str(u.title, 200) ?? 'unnamed update', security: u.security === true }));
      patches.pending = pending.slice(0, 5000);
      patches.pendingTotal = pending.length;
      patches.pendingSecurity = pending.filter((p) => p.security).length;
    } else if (!failed('updates.pending')) err('patches.pending', 'the Windows Update search was skipped');
    const ls = psDate(up.lastSearchSuccess);
    if (ls) patches.lastCheckAt = ls;
    const li = psDate(up.lastInstallSuccess);
    if (li) patches.lastInstallAt = li;
    const rr = bool(up.rebootRequired);
    if (rr !== undefined) patches.rebootRequired = rr;
    const level = int(up.notificationLevel);
    // NotificationLevel 1 = disabled; policy NoAutoUpdate=1 disables too.
    if (level !== undefined) patches.autoUpdate = level !== 1 && int(up.noAutoUpdate) !== 1;
  }

  // hardening
  const hardening: HardeningSection = {};
  const bl = asList(d.bitlocker);
  if (bl.length) {
    const volumes = bl.map((v) => ({ mount: str(v.MountPoint, 512) ?? '?', encrypted: int(v.ProtectionStatus) === 1, method: 'BitLocker' }));
    const sys = volumes.find((v) => /^C:?$/i.test(v.mount)) ?? volumes[0]!;
    // Assigned through a variable: protocol's Toggle() helper loses its extra fields in the static type.
    const disk = { enabled: sys.encrypted, volumes: volumes.slice(0, 64), source: 'Win32_EncryptableVolume' };
    hardening.diskEncryption = disk;
  }
  const reg = d.reg as Record<string, unknown> | undefined;
  if (reg) {
    const deny = int(reg.fDenyTSConnections);
    if (deny !== undefined) {
      const nla = int(reg.rdpUserAuthentication);
      hardening.remoteDesktop = { enabled: deny === 0, ...(nla !== undefined ? { nla: nla === 1 } : {}), source: 'HKLM Terminal Server fDenyTSConnections' };
    }
    const al = str(reg.autoAdminLogon, 8);
    hardening.autoLogin = { enabled: al === '1', source: 'HKLM Winlogon AutoAdminLogon' };
    const usb = int(reg.usbstorStart);
    if (usb !== undefined) hardening.usbStorage = { blocked: usb === 4, source: 'HKLM Services USBSTOR Start' };
    const ito = int(reg.inactivityTimeoutSecs);
    const lock = ito !== undefined ? { enabled: ito > 0, timeoutSec: ito, source: 'HKLM Policies System InactivityTimeoutSecs' } : undefined;
    if (lock) hardening.screenLock = lock;
    else err('hardening.screenLock', 'no machine inactivity policy (InactivityTimeoutSecs); per-user screen saver settings are not read');
    const t = str(reg.w32timeType, 16);
    if (t) hardening.timeSync = { enabled: t !== 'NoSync', ...(reg.w32timeServer ? { server: str(reg.w32timeServer, 256)! } : {}), source: 'HKLM W32Time Parameters Type' };
  }
  const smb1 = bool(d.smb1);
  if (smb1 !== undefined) hardening.smb1 = { enabled: smb1, source: 'Get-SmbServerConfiguration' };
  if (Array.isArray(d.localAdmins) || typeof d.localAdmins === 'string') hardening.localAdmins = { members: strings(d.localAdmins, 256, 256), source: 'Get-LocalGroupMember -SID S-1-5-32-544' };
  const pp = d.passwordPolicy as Record<string, unknown> | undefined;
  if (pp && typeof pp === 'object') {
    const minLen = int(pp.MinimumPasswordLength);
    const maxAge = int(pp.MaximumPasswordAge);
    const hist = int(pp.PasswordHistorySize);
    const cx = int(pp.PasswordComplexity);
    hardening.passwordPolicy = {
      ...(minLen !== undefined ? { minLength: minLen } : {}),
      ...(maxAge !== undefined && maxAge >= 0 ? { maxAgeDays: maxAge } : {}),
      ...(hist !== undefined ? { history: hist } : {}),
      ...(cx !== undefined ? { complexity: cx === 1 } : {}),
      source: 'secedit /export SECURITYPOLICY',
    };
    const lc = int(pp.LockoutBadCount);
    const ld = int(pp.LockoutDuration);
    if (lc !== undefined) hardening.lockout = { threshold: lc, ...(ld !== undefined && ld >= 0 ? { durationMin: ld } : {}), source: 'secedit /export SECURITYPOLICY' };
  }

  const out: WindowsCollect = { host, hardening, probeErrors, costMs };
  const ps = str(d.psVersion, 32);
  if (ps) out.psVersion = ps;
  const lm = str(d.languageMode, 32);
  if (lm) out.languageMode = lm;
  if (av) out.av = av;
  if (patches) out.patches = patches;
  if (network) out.network = network;
  return out;
}
