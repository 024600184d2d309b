// What one simulated machine looks like, derived only from (seed, index): operating system, role, antivirus,
// patch level, listening services and hardening, in proportions typical of a provincial department's fleet
// (mostly Windows workstations, some Linux servers, a few Macs; most protected, a tail that is not). Pure: no
// I/O, no clock; the caller passes the time.
import type { AgentEvent, ListeningSocket, Posture } from '../../protocol/index.js';
import { Rng } from './rng.js';

export type Platform = 'windows' | 'linux' | 'darwin';

interface AvProductShape {
  name: string;
  vendor: string;
  kind: 'av' | 'edr' | 'av+edr';
  source: string;
}

export interface MachineProfile {
  index: number;
  hostname: string;
  hardwareId: string;
  platform: Platform;
  role: 'workstation' | 'server';
  os: { family: string; name: string; version: string; build: string; kernel: string };
  ip: string;
  mac: string;
  av: AvProductShape | null;
  /** Services this machine always listens on (before posture changes add or remove one). */
  services: ListeningSocket[];
  diskEncrypted: boolean;
  screenLockSec: number | null;
  passwordMinLength: number;
  lockoutThreshold: number;
  autoLogin: boolean;
  smb1: boolean;
  timeSync: boolean;
  usbBlocked: boolean;
  localAdmins: string[];
}

/** What changes over a machine's life: each change is a new posture hash the collector must evaluate. */
export interface MachineState {
  avRunning: boolean;
  realtime: boolean;
  signatureAgeHours: number;
  pendingSecurity: number;
  pendingTotal: number;
  rebootRequired: boolean;
  firewallEnabled: boolean;
  /** A service that appears and disappears (someone starts a VNC server, a database on a workstation). */
  extraService: ListeningSocket | null;
  lastInstallAt: number;
  /** Boot time is state: it is part of the posture hash, so it changes only when the machine reboots. */
  bootAt: number;
  changes: number;
}

const WINDOWS_OS = [
  { family: 'Windows 11', name: 'Microsoft Windows 11 Pro', version: '10.0.22631', build: '22631.4890', kernel: '10.0.22631' },
  { family: 'Windows 10', name: 'Microsoft Windows 10 Pro', version: '10.0.19045', build: '19045.5487', kernel: '10.0.19045' },
  { family: 'Windows 10', name: 'Microsoft Windows 10 Enterprise LTSC', version: '10.0.17763', build: '17763.6893', kernel: '10.0.17763' },
  { family: 'Windows 7', name: 'Microsoft Windows 7 Professional', version: '6.1.7601', build: '7601', kernel: '6.1.7601' },
] as const;
const WINDOWS_SERVER_OS = [
  { family: 'Windows Server 2019', name: 'Microsoft Windows Server 2019 Standard', version: '10.0.17763', build: '17763.6893', kernel: '10.0.17763' },
  { family: 'Windows Server 2022', name: 'Microsoft Windows Server 2022 Standard', version: '10.0.20348', build: '20348.3207', kernel: '10.0.20348' },
] as const;
const LINUX_OS = [
  { family: 'debian', name: 'Debian GNU/Linux 12 (bookworm)', version: '12', build: '12.9', kernel: '6.1.0-31-amd64' },
  { family: 'ubuntu', name: 'Ubuntu 22.04.5 LTS', version: '22.04', build: '22.04.5', kernel: '5.15.0-131-generic' },
  { family: 'ubuntu', name: 'Ubuntu 24.04.2 LTS', version: '24.04', build: '24.04.2', kernel: '6.8.0-53-generic' },
  { family: 'rhel', name: 'Red Hat Enterprise Linux 9.5 (Plow)', version: '9.5', build: '9.5', kernel: '5.14.0-503.26.1.el9_5.x86_64' },
  { family: 'centos', name: 'CentOS Linux 7 (Core)', version: '7', build: '7.9.2009', kernel: '3.10.0-1160.el7.x86_64' },
] as const;
const DARWIN_OS = [
  { family: 'macOS', name: 'macOS Sonoma', version: '14.7.4', build: '23H420', kernel: 'Darwin 23.6.0' },
  { family: 'macOS', name: 'macOS Sequoia', version: '15.3.1', build: '24D70', kernel: 'Darwin 24.3.0' },
] as const;

const WINDOWS_AV: readonly (readonly [AvProductShape | null, number])[] = [
  [{ name: 'Microsoft Defender Antivirus', vendor: 'Microsoft', kind: 'av', source: 'Get-MpComputerStatus' }, 55],
  [{ name: 'Bkav Pro', vendor: 'Bkav', kind: 'av', source: 'root\\SecurityCenter2 AntiVirusProduct' }, 15],
  [{ name: 'Kaspersky Endpoint Security', vendor: 'Kaspersky', kind: 'av+edr', source: 'root\\SecurityCenter2 AntiVirusProduct' }, 12],
  [{ name: 'CMC Antivirus', vendor: 'CMC Cyber Security', kind: 'av', source: 'root\\SecurityCenter2 AntiVirusProduct' }, 6],
  [{ name: 'Microsoft Defender for Endpoint', vendor: 'Microsoft', kind: 'edr', source: 'Get-MpComputerStatus' }, 8],
  [null, 4],
];
const LINUX_AV: readonly (readonly [AvProductShape | null, number])[] = [
  [{ name: 'ClamAV', vendor: 'Cisco Talos', kind: 'av', source: 'systemctl is-active clamav-daemon; /var/lib/clamav' }, 45],
  [{ name: 'Wazuh agent', vendor: 'Wazuh', kind: 'edr', source: 'systemctl is-active wazuh-agent' }, 20],
  [{ name: 'Kaspersky Endpoint Security for Linux', vendor: 'Kaspersky', kind: 'av+edr', source: 'kesl-control --app-info' }, 10],
  [null, 25],
];
const DARWIN_AV: readonly (readonly [AvProductShape | null, number])[] = [
  [{ name: 'XProtect', vendor: 'Apple', kind: 'av', source: 'system_profiler SPInstallHistoryDataType' }, 80],
  [{ name: 'Kaspersky Endpoint Security for Mac', vendor: 'Kaspersky', kind: 'av', source: 'kav --app-info' }, 20],
];

const sock = (port: number, process: string, exposed = true, address = exposed ? '0.0.0.0' : '127.0.0.1'): ListeningSocket => ({
  proto: 'tcp',
  address,
  port,
  process,
  exposed,
});

// Services that come and go: the ones policies flag as risky exposure.
const TRANSIENT_SERVICES: Record<Platform, ListeningSocket[]> = {
  windows: [sock(5900, 'tvnserver.exe'), sock(3306, 'mysqld.exe'), sock(23, 'tlntsvr.exe'), sock(7070, 'AnyDesk.exe')],
  linux: [sock(23, 'in.telnetd'), sock(6379, 'redis-server'), sock(27017, 'mongod'), sock(8080, 'java')],
  darwin: [sock(5900, 'screensharingd'), sock(22, 'sshd')],
};

function servicesFor(rng: Rng, platform: Platform, role: 'workstation' | 'server'): ListeningSocket[] {
  const out: ListeningSocket[] = [];
  if (platform === 'windows') {
    out.push(sock(135, 'svchost.exe'), sock(445, 'System'), sock(139, 'System', true, '10.0.0.1'));
    if (rng.chance(role === 'server' ? 0.9 : 0.15)) out.push(sock(3389, 'svchost.exe'));
    if (role === 'server' && rng.chance(0.5)) out.push(sock(1433, 'sqlservr.exe'));
    if (role === 'server' && rng.chance(0.4)) out.push(sock(443, 'w3wp.exe'), sock(80, 'System'));
  } else if (platform === 'linux') {
    out.push(sock(22, 'sshd'));
    if (rng.chance(0.6)) out.push(sock(80, 'nginx'), sock(443, 'nginx'));
    if (rng.chance(0.3)) out.push(sock(3306, 'mysqld', rng.chance(0.4)));
    if (rng.chance(0.25)) out.push(sock(5432, 'postgres', rng.chance(0.3)));
    if (rng.chance(0.1)) out.push(sock(21, 'vsftpd'));
  } else {
    if (rng.chance(0.1)) out.push(sock(22, 'sshd'));
    out.push(sock(631, 'cupsd', false));
  }
  if (rng.chance(0.5)) out.push(sock(platform === 'windows' ? 49664 : 40000 + rng.int(0, 999), platform === 'windows' ? 'lsass.exe' : 'agentd', false));
  return out;
}

export function machineProfile(seed: string, index: number): { profile: MachineProfile; state: MachineState } {
  const rng = Rng.from('profile', seed, index);
  const platform = rng.weighted<Platform>([
    ['windows', 72],
    ['linux', 20],
    ['darwin', 8],
  ]);
  const role = platform === 'linux' ? (rng.chance(0.85) ? 'server' : 'workstation') : platform === 'windows' && rng.chance(0.05) ? 'server' : 'workstation';
  const osChoices: readonly MachineProfile['os'][] =
    platform === 'windows' ? (role === 'server' ? WINDOWS_SERVER_OS : WINDOWS_OS) : platform === 'linux' ? LINUX_OS : DARWIN_OS;
  const os = rng.pick(osChoices);
  const av = rng.weighted(platform === 'windows' ? WINDOWS_AV : platform === 'linux' ? LINUX_AV : DARWIN_AV);
  const prefix = role === 'server' ? 'srv' : platform === 'darwin' ? 'mac' : 'ws';
  const hostname = `${prefix}-${rng.word(4)}-${String(index).padStart(6, '0')}`;
  const hex = (n: number) => rng.word(n, '0123456789abcdef');
  const ip = `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`;
  const profile: MachineProfile = {
    index,
    hostname,
    hardwareId: `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`,
    platform,
    role,
    os: { ...os },
    ip,
    mac: `02:${hex(2)}:${hex(2)}:${hex(2)}:${hex(2)}:${hex(2)}`,
    av,
    services: servicesFor(rng, platform, role),
    diskEncrypted: rng.chance(platform === 'darwin' ? 0.9 : 0.45),
    screenLockSec: rng.chance(0.8) ? rng.pick([300, 600, 900, 1800]) : null,
    passwordMinLength: rng.pick([0, 6, 8, 8, 12, 14]),
    lockoutThreshold: rng.pick([0, 5, 5, 10]),
    autoLogin: rng.chance(0.05),
    smb1: platform === 'windows' && rng.chance(os.family === 'Windows 7' ? 0.9 : 0.08),
    timeSync: rng.chance(0.9),
    usbBlocked: rng.chance(0.3),
    localAdmins: ['Administrator', ...Array.from({ length: rng.int(0, 3) }, (_, k) => `user${String(index % 1000).padStart(3, '0')}${k}`)],
  };
  const avState = rng.weighted<'ok' | 'stale' | 'off'>([
    ['ok', 80],
    ['stale', 12],
    ['off', 8],
  ]);
  const state: MachineState = {
    avRunning: av !== null && avState !== 'off',
    realtime: av !== null && avState !== 'off',
    signatureAgeHours: avState === 'stale' ? rng.int(100, 800) : rng.int(1, 30),
    pendingSecurity: rng.weighted([
      [0, 60],
      [rng.int(1, 4), 30],
      [rng.int(5, 40), 10],
    ]),
    pendingTotal: 0,
    rebootRequired: rng.chance(0.1),
    firewallEnabled: rng.chance(0.85),
    extraService: rng.chance(0.03) ? rng.pick(TRANSIENT_SERVICES[platform]) : null,
    lastInstallAt: Date.UTC(2026, 0, 1) + rng.int(0, 60) * 86_400_000,
    bootAt: Date.UTC(2026, 1, 1) + rng.int(0, 24 * 28) * 3_600_000,
    changes: 0,
  };
  state.pendingTotal = state.pendingSecurity + rng.int(0, 10);
  return { profile, state };
}

/**
 * One scan interval of a machine's life: usually nothing changes; sometimes updates arrive or get installed,
 * protection is switched off or back on, a service appears or goes away. Returns whether the posture changed.
 */
export function evolve(profile: MachineProfile, state: MachineState, rng: Rng, changeProbability: number, now: number): boolean {
  if (!rng.chance(changeProbability)) return false;
  const what = rng.weighted<'updates' | 'install' | 'av' | 'service' | 'firewall' | 'signatures'>([
    ['updates', 30],
    ['install', 25],
    ['signatures', 20],
    ['av', 10],
    ['service', 10],
    ['firewall', 5],
  ]);
  switch (what) {
    case 'updates': {
      const n = rng.int(1, 6);
      state.pendingSecurity += n;
      state.pendingTotal += n + rng.int(0, 4);
      break;
    }
    case 'install':
      state.pendingSecurity = 0;
      state.pendingTotal = rng.int(0, 2);
      state.rebootRequired = rng.chance(0.5);
      state.lastInstallAt = now;
      if (!state.rebootRequired) state.bootAt = now; // installed and rebooted
      break;
    case 'signatures':
      state.signatureAgeHours = state.signatureAgeHours > 48 ? rng.int(1, 12) : state.signatureAgeHours + rng.int(24, 200);
      break;
    case 'av':
      if (profile.av) {
        state.realtime = !state.realtime;
        state.avRunning = state.realtime || rng.chance(0.5);
      }
      break;
    case 'service':
      state.extraService = state.extraService ? null : rng.pick(TRANSIENT_SERVICES[profile.platform]);
      break;
    case 'firewall':
      state.firewallEnabled = !state.firewallEnabled;
      break;
  }
  state.changes++;
  return true;
}

function avSection(p: MachineProfile, s: MachineState): NonNullable<Posture['av']> {
  if (!p.av) return { status: 'unprotected', reasons: ['no antivirus or EDR product found'], products: [] };
  const upToDate = s.signatureAgeHours <= 72;
  const reasons: string[] = [];
  if (!s.avRunning) reasons.push(`${p.av.name} is not running`);
  if (!s.realtime) reasons.push('real-time protection off');
  if (!upToDate) reasons.push(`signatures ${Math.round(s.signatureAgeHours / 24)} days old`);
  const status = !s.avRunning || !s.realtime ? 'unprotected' : upToDate ? 'protected' : 'degraded';
  return {
    status,
    reasons,
    products: [
      {
        name: p.av.name,
        vendor: p.av.vendor,
        kind: p.av.kind,
        running: s.avRunning,
        realtime: s.realtime,
        upToDate,
        signatureAgeHours: s.signatureAgeHours,
        managed: p.av.vendor !== 'Apple',
        tamperProtected: p.platform === 'windows' && p.av.vendor === 'Microsoft',
        source: p.av.source,
      },
    ],
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The full posture document the agent would send now. Per-scan fields vary; the machine's state decides the rest. */
export function buildPosture(p: MachineProfile, s: MachineState, agentId: string, seq: number, now: number, rng: Rng): Posture {
  const listening = s.extraService ? [...p.services, s.extraService] : p.services;
  const win = p.platform === 'windows';
  return {
    agent: {
      id: agentId,
      version: '0.1.0',
      seq,
      collectedAt: iso(now),
      scanMs: rng.int(300, 2500),
      rssBytes: rng.int(38, 60) * 1_000_000,
      cpuPercent: Math.round(rng.next() * 30) / 10,
      probeErrors: p.platform === 'darwin' ? [{ probe: 'hardening.usbStorage', error: 'not observable without a configuration profile' }] : [],
    },
    host: {
      hostname: p.hostname,
      os: { platform: p.platform, ...p.os },
      hardwareId: p.hardwareId,
      bootAt: iso(s.bootAt),
      ips: [p.ip],
      macs: [p.mac],
      role: p.role,
      health: { cpuLoadPercent: rng.int(0, 100), memoryTotalBytes: 8 * 2 ** 30, memoryFreeBytes: rng.int(1, 6) * 2 ** 30 },
    },
    av: avSection(p, s),
    patches: {
      pendingTotal: s.pendingTotal,
      pendingSecurity: s.pendingSecurity,
      lastCheckAt: iso(Math.floor(now / 86_400_000) * 86_400_000),
      lastInstallAt: iso(s.lastInstallAt),
      rebootRequired: s.rebootRequired,
      autoUpdate: p.index % 3 !== 0,
      source: win ? 'Microsoft.Update.Session' : p.platform === 'linux' ? 'apt-get -s upgrade' : 'softwareupdate --list',
    },
    network: {
      listening: listening.map((l) => ({ ...l, pid: rng.int(100, 65000) })),
      firewall: {
        enabled: s.firewallEnabled,
        defaultInbound: s.firewallEnabled ? 'deny' : 'allow',
        profiles: win
          ? ['Domain', 'Private', 'Public'].map((name) => ({ name, enabled: s.firewallEnabled, defaultInbound: s.firewallEnabled ? 'Block' : 'Allow' }))
          : [],
        source: win ? 'Get-NetFirewallProfile' : p.platform === 'linux' ? 'nft list ruleset' : 'socketfilterfw --getglobalstate',
      },
      interfaces: [{ name: win ? 'Ethernet' : p.platform === 'linux' ? 'eth0' : 'en0', mac: p.mac, addresses: [p.ip], up: true }],
      defaultGateways: [p.ip.replace(/\.\d+$/, '.1')],
    },
    hardening: {
      diskEncryption: {
        enabled: p.diskEncrypted,
        source: win ? 'Get-BitLockerVolume' : p.platform === 'linux' ? 'lsblk -o NAME,TYPE,FSTYPE' : 'fdesetup status',
        volumes: [{ mount: win ? 'C:' : '/', encrypted: p.diskEncrypted, ...(p.diskEncrypted ? { method: win ? 'XtsAes128' : p.platform === 'linux' ? 'luks2' : 'FileVault' } : {}) }],
      },
      screenLock: p.screenLockSec === null ? { enabled: false } : { enabled: true, timeoutSec: p.screenLockSec },
      passwordPolicy: { minLength: p.passwordMinLength, complexity: p.passwordMinLength >= 8, maxAgeDays: 90, history: 5 },
      lockout: { threshold: p.lockoutThreshold, durationMin: p.lockoutThreshold ? 15 : 0 },
      autoLogin: { enabled: p.autoLogin },
      ...(win ? { smb1: { enabled: p.smb1 } } : {}),
      timeSync: { enabled: p.timeSync, synchronized: p.timeSync },
      ...(p.platform !== 'darwin' ? { usbStorage: { blocked: p.usbBlocked } } : {}),
      localAdmins: { members: p.localAdmins },
      ...(win ? { remoteDesktop: { enabled: listening.some((l) => l.port === 3389), nla: true } } : {}),
      auditLogging: { enabled: p.role === 'server' },
    },
  };
}

const MALWARE = [
  ['Trojan:Win32/Emotet.RPX!MTB', 'C:\\Users\\user\\AppData\\Local\\Temp\\invoice_0425.exe'],
  ['HEUR:Trojan-Ransom.Win32.Generic', 'C:\\Users\\Public\\Downloads\\setup_unikey.exe'],
  ['Win32.Worm.Autorun', 'E:\\autorun.inf'],
  ['Eicar-Signature', '/tmp/eicar.com'],
  ['Unix.Trojan.Mirai-7100807-0', '/var/tmp/.x/mips'],
] as const;

/** A malware detection as the AV would report it; the id is unique per (machine, second, n) and stays the same on a resend. */
export function malwareEvent(p: MachineProfile, n: number, now: number, rng: Rng): AgentEvent {
  const [signature, path] = rng.pick(MALWARE);
  return {
    id: `sim${p.index}-${Math.floor(now / 1000).toString(36)}-${n}`,
    type: 'malware_detected',
    at: iso(now),
    data: { path, signature, product: p.av?.name ?? 'unknown', action: rng.pick(['quarantined', 'blocked', 'none']) },
  };
}
