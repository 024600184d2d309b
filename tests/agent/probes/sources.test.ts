// The per-OS sources with injected command and file access: Windows (collect.ps1 JSON), macOS (commands),
// Linux (files and commands of a fixture machine). Each produces schema-valid sections and lists what it
// could not read.
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { Posture } from '../../../protocol/posture.js';
import { postureHash } from '../../../protocol/canonical.js';
import { scanPosture } from '../../../agent/scan.js';
import { readWindowsPosture } from '../../../agent/probes/windows.js';
import { readDarwinAv, readDarwinHardening, readDarwinNetwork, readDarwinPatches } from '../../../agent/probes/darwin.js';
import { readLinuxHardening } from '../../../agent/probes/hardening/linux.js';
import { readLinuxPatches } from '../../../agent/probes/patches/linux.js';
import { readLinuxAv } from '../../../agent/probes/av/linux.js';
import { readLinuxFirewall } from '../../../agent/probes/network/linux.js';
import { ProbeErrors } from '../../../agent/probes/probe-errors.js';
import type { ProcessSnapshot } from '../../../agent/probes/linux-processes.js';
import { fakeHost, fixture } from './fake-host.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const validPosture = ajv.compile(Posture);

const PS = ['powershell.exe', '-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-File', 'C:\\soclite\\collect.ps1'].join(' ');

describe('Windows source (collect.ps1 JSON)', () => {
  it('workstation with Defender: protected, BitLocker on, firewall on, updates counted', async () => {
    const host = fakeHost({ commands: { [PS]: { stdout: fixture('windows/collect/collect-win11-defender.json') } } });
    const w = await readWindowsPosture(host, { scriptPath: 'C:\\soclite\\collect.ps1', maxSignatureAgeHours: 48 });
    expect(w.av?.status).toBe('protected');
    expect(w.host.os).toMatchObject({ platform: 'windows', name: 'Microsoft Windows 11 Pro', version: '23H2', build: '22631.4460' });
    expect(w.host.role).toBe('workstation');
    expect(w.host.hardwareId).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(w)).not.toContain('4c4c4544-0000-1111-2222-333344445555');
    expect(w.host.macs).toEqual(['00:15:5d:01:02:03']);
    expect(w.network?.firewall).toMatchObject({ enabled: true, defaultInbound: 'deny' });
    expect(w.network?.listening.find((l) => l.port === 5939)).toMatchObject({ exposed: false, process: 'TeamViewer_Service', pid: 3500 });
    expect(w.patches).toMatchObject({ pendingTotal: 2, pendingSecurity: 1, autoUpdate: true, rebootRequired: false });
    expect(w.hardening).toMatchObject({ diskEncryption: { enabled: true }, remoteDesktop: { enabled: false, nla: true }, usbStorage: { blocked: false }, smb1: { enabled: false }, screenLock: { enabled: true, timeoutSec: 900 } });
    expect(w.hardening.passwordPolicy).toMatchObject({ minLength: 8, maxAgeDays: 90, complexity: true, history: 5 });
    expect(w.hardening.lockout).toMatchObject({ threshold: 5, durationMin: 15 });
    expect(w.probeErrors).toEqual([]);
  });

  it('Server 2022: no Security Center, Defender passive beside CrowdStrike is normal, gaps listed', async () => {
    const host = fakeHost({ commands: { [PS]: { stdout: '\uFEFF' + fixture('windows/collect/collect-server2022-falcon.json') } } });
    const w = await readWindowsPosture(host, { scriptPath: 'C:\\soclite\\collect.ps1', maxSignatureAgeHours: 48 });
    expect(w.host.role).toBe('server');
    expect(w.av?.status).toBe('protected');
    expect(w.av?.products.map((p) => p.name)).toEqual(['Microsoft Defender Antivirus', 'CrowdStrike Falcon']);
    expect(w.av?.products[0]).toMatchObject({ passive: true });
    expect(w.network?.firewall).toMatchObject({ enabled: false, defaultInbound: 'allow' });
    expect(w.hardening).toMatchObject({ remoteDesktop: { enabled: true, nla: false }, smb1: { enabled: true }, usbStorage: { blocked: true } });
    expect(w.patches?.pendingTotal).toBeUndefined();
    const probes = w.probeErrors.map((e) => e.probe);
    expect(probes).toEqual(expect.arrayContaining(['windows.wsc', 'windows.updates.pending', 'hardening.screenLock']));
  });

  it('third-party AV on, Defender off in Security Center: protected, Defender noted as passive', async () => {
    const host = fakeHost({ commands: { [PS]: { stdout: fixture('windows/collect/collect-win10-thirdparty-av.json') } } });
    const w = await readWindowsPosture(host, { scriptPath: 'C:\\soclite\\collect.ps1', maxSignatureAgeHours: 48 });
    expect(w.av?.status).toBe('protected');
    expect(w.av?.reasons).toContain('Windows Defender: passive mode beside Bkav Pro (normal)');
  });

  it('a script that fails or prints something else is a clear error', async () => {
    await expect(readWindowsPosture(fakeHost({ commands: { [PS]: { code: 1, stderr: 'AuthorizationManager check failed.' } } }), { scriptPath: 'C:\\soclite\\collect.ps1', maxSignatureAgeHours: 48 })).rejects.toThrow(/AuthorizationManager/);
    await expect(readWindowsPosture(fakeHost({ commands: { [PS]: { stdout: '{"schema":2}' } } }), { scriptPath: 'C:\\soclite\\collect.ps1', maxSignatureAgeHours: 48 })).rejects.toThrow(/schema/);
  });

  it('scanPosture on a (simulated) Windows host gives a schema-valid posture', async () => {
    const host = fakeHost({ commands: { [PS]: { stdout: fixture('windows/collect/collect-win11-defender.json') } } });
    const p = await scanPosture({ agentId: 'w1', version: '0.1.0', seq: 3, platform: 'win32', host, windowsScript: 'C:\\soclite\\collect.ps1' });
    expect(validPosture(p), JSON.stringify(validPosture.errors)).toBe(true);
    expect(p.host.hostname).toBe('PC-KETOAN-01');
    expect(p.av?.status).toBe('protected');
  });
});

describe('macOS source', () => {
  const mac = () =>
    fakeHost({
      commands: {
        'lsof -nP -iTCP -sTCP:LISTEN -iUDP -F pcPtn': { stdout: fixture('macos/lsof/lsof-listen-F.txt') },
        '/usr/libexec/ApplicationFirewall/socketfilterfw --getglobalstate --getblockall --getstealthmode': { stdout: fixture('macos/socketfilterfw/socketfilterfw-sonoma-enabled.txt') },
        'netstat -rn -f inet': { stdout: 'Routing tables\n\nInternet:\nDestination        Gateway            Flags        Netif Expire\ndefault            192.168.1.1        UGScg          en0\n' },
        'fdesetup status': { stdout: fixture('macos/fdesetup/fdesetup-status-encrypting.txt') },
        'softwareupdate --list --no-scan': { stdout: fixture('macos/softwareupdate/softwareupdate-list-sonoma.txt') },
        '/usr/local/bin/mdatp health --output json': { stdout: fixture('linux/mdatp/mdatp-health-active-anonymised.json') },
        'launchctl list': { stdout: 'PID\tStatus\tLabel\n512\t0\tcom.crowdstrike.falcond\n-\t0\tcom.apple.mdworker\n' },
      },
      files: {
        '/Library/Apple/System/Library/CoreServices/XProtect.bundle/Contents/Info.plist': '<dict><key>CFBundleShortVersionString</key>\n\t<string>5287</string></dict>',
      },
    });

  it('network: listeners from lsof (connected UDP skipped), firewall, gateway', async () => {
    const errors = new ProbeErrors();
    const n = await readDarwinNetwork(mac(), errors);
    expect(n.listening.map((l) => `${l.proto} ${l.address} ${l.port} ${l.process} ${l.exposed}`)).toEqual([
      'tcp :: 22 launchd true',
      'udp 0.0.0.0 5353 mDNSResponder true',
      'udp :: 5353 mDNSResponder true',
      'tcp 127.0.0.1 5432 postgres false',
      'tcp ::1 5432 postgres false',
    ]);
    expect(n.firewall).toMatchObject({ enabled: true, defaultInbound: 'unknown' });
    expect(n.defaultGateways).toEqual(['192.168.1.1']);
    expect(errors.list).toEqual([]);
  });

  it('AV: MDE active with signatures judged by age, Falcon by its launchd job, XProtect recorded', async () => {
    const av = await readDarwinAv(mac(), new Date('2025-11-22T12:00:00Z'), 48);
    expect(av.status).toBe('protected');
    expect(av.products.map((p) => p.name)).toEqual(['Microsoft Defender for Endpoint', 'CrowdStrike Falcon', 'XProtect']);
    expect(av.products[2]).toMatchObject({ signatureVersion: '5287' });
    const stale = await readDarwinAv(mac(), new Date('2025-12-22T12:00:00Z'), 48);
    expect(stale.products[0]!.upToDate).toBe(false);
  });

  it('hardening and patches', async () => {
    const errors = new ProbeErrors();
    expect(await readDarwinHardening(mac(), errors)).toEqual({ diskEncryption: { enabled: true, source: 'fdesetup status' } });
    expect(await readDarwinPatches(mac(), errors)).toMatchObject({ pendingTotal: 2, pendingSecurity: 1, rebootRequired: true });
  });

  it('a Mac where nothing answers: every gap is listed, nothing guessed', async () => {
    const errors = new ProbeErrors();
    const n = await readDarwinNetwork(fakeHost({}), errors);
    expect(n.firewall).toBeUndefined();
    expect(errors.list.map((e) => e.probe)).toEqual(['network.listening', 'network.firewall', 'network.defaultGateways']);
    const av = await readDarwinAv(fakeHost({}), new Date(), 48);
    expect(av.status).toBe('unknown');
  });
});

const procs = (...names: string[]): ProcessSnapshot => ({ processes: names.map((comm, i) => ({ pid: 100 + i, comm })), socketOwners: new Map(), fdDenied: 0 });

describe('Linux sources on a fixture machine', () => {
  it('hardening: password policy from login.defs + PAM + pwquality.conf, lockout, sshd with drop-ins, admins, usb', async () => {
    const host = fakeHost({
      commands: {
        'lsblk -J -o NAME,TYPE,FSTYPE,MOUNTPOINT': { stdout: fixture('linux/lsblk/lsblk-luks-lvm.json') },
        'timedatectl show': { stdout: fixture('linux/timedatectl/timedatectl-show-synced.txt') },
        'cryptsetup status nvme0n1p3_crypt': { stdout: fixture('linux/cryptsetup/cryptsetup-status-luks2.txt') },
      },
      files: {
        '/etc/login.defs': fixture('linux/login-defs/login.defs-debian12').replace('PASS_MAX_DAYS\t99999', 'PASS_MAX_DAYS\t90'),
        '/etc/pam.d/common-password': fixture('linux/pam/common-password-pwquality'),
        '/etc/security/pwquality.conf': fixture('linux/pam/pwquality.conf-minclass3'),
        '/etc/pam.d/common-auth': fixture('linux/pam/common-auth-faillock'),
        '/etc/modprobe.d/cis.conf': fixture('linux/modprobe/usb-storage-disabled.conf'),
        '/etc/ssh/sshd_config': fixture('linux/sshd/sshd_config-hardened').replace('PermitRootLogin no', '#PermitRootLogin no'),
        '/etc/ssh/sshd_config.d/50-cloud.conf': 'PermitRootLogin yes\nPasswordAuthentication yes\n',
        '/etc/group': 'root:x:0:\nsudo:x:27:alice,bob\nadm:x:4:syslog\n',
        '/etc/passwd': 'root:x:0:0:root:/root:/bin/bash\ntoor:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/bash\n',
        '/usr/sbin/gdm3': '',
      },
      dirs: { '/etc/modprobe.d': ['cis.conf', 'README'], '/etc/ssh/sshd_config.d': ['50-cloud.conf'] },
    });
    const errors = new ProbeErrors();
    const { hardening: h, role } = await readLinuxHardening(host, errors, procs('sshd', 'auditd', 'systemd-timesyn'));
    expect(role).toBe('workstation');
    expect(h.diskEncryption).toEqual({
      enabled: true,
      volumes: [
        { mount: '/boot/efi', encrypted: false },
        { mount: '/boot', encrypted: false },
        { mount: '/', encrypted: true, method: 'LUKS2 aes-xts-plain64' },
      ],
      source: 'lsblk -J -o NAME,TYPE,FSTYPE,MOUNTPOINT, cryptsetup status',
    });
    expect(h.timeSync).toEqual({ enabled: true, synchronized: true, source: 'timedatectl show' });
    // pam line minlen=14 overrides pwquality.conf minlen=12; all four classes required
    expect(h.passwordPolicy).toMatchObject({ minLength: 14, maxAgeDays: 90, complexity: true, history: 5 });
    expect(h.lockout).toEqual({ threshold: 5, durationMin: 15, source: 'PAM pam_faillock' });
    expect(h.auditLogging?.enabled).toBe(true);
    expect(h.usbStorage?.blocked).toBe(true);
    // the cloud-init drop-in wins over the main file, as sshd reads it first
    expect(h.remoteShell).toMatchObject({ enabled: true, permitRootLogin: 'yes', passwordAuthentication: true });
    expect(h.localAdmins?.members).toEqual(['alice', 'bob', 'root', 'toor']);
    expect(errors.list.map((e) => e.probe)).toEqual(['hardening.screenLock']);
  });

  it('hardening on a bare machine: each unreadable fact is listed with its reason', async () => {
    const errors = new ProbeErrors();
    const { hardening: h, role } = await readLinuxHardening(fakeHost({}), errors, procs());
    expect(role).toBe('server');
    expect(h.diskEncryption).toBeUndefined();
    expect(h.passwordPolicy).toBeUndefined();
    const probes = errors.list.map((e) => e.probe);
    expect(probes).toEqual(expect.arrayContaining(['hardening.diskEncryption', 'hardening.timeSync', 'hardening.passwordPolicy', 'hardening.lockout', 'hardening.localAdmins', 'hardening.screenLock']));
    expect(errors.list.find((e) => e.probe === 'hardening.diskEncryption')!.error).toMatch(/lsblk: not installed/);
  });

  it('patches: counts, reboot flag, unattended upgrades, last install from dpkg.log', async () => {
    const host = fakeHost({
      commands: {
        'apt list --upgradable': { stdout: fixture('linux/apt/apt-list-upgradable-debian12.txt'), stderr: '\nWARNING: apt does not have a stable CLI interface. Use with caution in scripts.\n\n' },
        'apt-config dump': { stdout: 'APT::Periodic::Update-Package-Lists "1";\nAPT::Periodic::Unattended-Upgrade "1";\n' },
      },
      files: {
        '/var/run/reboot-required': '*** System restart required ***\n',
        '/usr/bin/unattended-upgrade': '',
        '/var/lib/apt/periodic/update-success-stamp': '',
        '/var/log/dpkg.log': '2026-11-20 10:31:02 startup archives unpack\n2026-11-20 10:31:03 upgrade openssl:amd64 3.0.15-1~deb12u1 3.0.17-1~deb12u2\n2026-11-20 10:31:04 status installed openssl:amd64 3.0.17-1~deb12u2\n',
      },
    });
    const errors = new ProbeErrors();
    const p = await readLinuxPatches(host, errors, new Date('2026-11-22T00:00:00Z'));
    expect(p).toMatchObject({ pendingTotal: 128, pendingSecurity: 73, rebootRequired: true, autoUpdate: true, lastCheckAt: '2026-11-20T00:00:00.000Z', source: 'apt list --upgradable' });
    expect(p?.lastInstallAt).toMatch(/^2026-11-20T\d\d:31:03\.000Z$/);
    expect(errors.list).toEqual([]);
  });

  it('AV: ClamAV running with a fresh daily.cld and clamonacc is protected; stale signatures degrade it', async () => {
    const header = fixture('linux/clamav/sigtool-build-unsigned-header-512.txt');
    const built = Number(/:(\d+)\s*$/.exec(header.trimEnd())![1]) * 1000;
    const host = fakeHost({ files: { '/usr/sbin/clamd': '', '/var/lib/clamav/daily.cld': header }, dirs: { '/var/lib/clamav': ['daily.cld', 'freshclam.dat'] } });
    const fresh = await readLinuxAv(host, procs('clamd', 'clamonacc', 'freshclam'), { maxSignatureAgeHours: 48, now: new Date(built + 3_600_000) });
    expect(fresh.status).toBe('protected');
    expect(fresh.products[0]).toMatchObject({ name: 'ClamAV', running: true, realtime: true, upToDate: true, signatureAgeHours: 1, signatureVersion: '7' });
    const stale = await readLinuxAv(host, procs('clamd', 'freshclam'), { maxSignatureAgeHours: 48, now: new Date(built + 72 * 3_600_000) });
    expect(stale.status).toBe('degraded');
    const builtIso = new Date(built).toISOString();
    expect(stale.reasons).toEqual(['ClamAV: real-time protection off', `ClamAV: signatures out of date (last updated ${builtIso.slice(0, 16).replace('T', ' ')} UTC)`]);
  });

  it('AV: ClamAV scans minutes apart differ only in the signature age, which the posture hash leaves out', async () => {
    const header = fixture('linux/clamav/sigtool-build-unsigned-header-512.txt');
    const built = Number(/:(\d+)\s*$/.exec(header.trimEnd())![1]) * 1000;
    const host = fakeHost({ files: { '/usr/sbin/clamd': '', '/var/lib/clamav/daily.cld': header }, dirs: { '/var/lib/clamav': ['daily.cld', 'freshclam.dat'] } });
    const scanAt = (ms: number) => readLinuxAv(host, procs('clamd', 'clamonacc', 'freshclam'), { maxSignatureAgeHours: 48, now: new Date(ms) });
    const [a, b] = [await scanAt(built + 3_600_000), await scanAt(built + 3_600_000 + 15 * 60_000)];
    expect(a.products[0]).toMatchObject({ signatureAgeHours: 1, signaturesUpdatedAt: new Date(built).toISOString() });
    expect(b.products[0]).toMatchObject({ signatureAgeHours: 1.3, signaturesUpdatedAt: new Date(built).toISOString() });
    const posture = (av: typeof a) => ({ agent: { id: 'agt_x', version: '1', seq: 1, collectedAt: new Date(built).toISOString() }, host: { hostname: 'h' }, av }) as unknown as Posture;
    // Two scans of an unchanged machine: one hash, so the second is a heartbeat-sized "unchanged" report.
    expect(postureHash(posture(b))).toBe(postureHash(posture(a)));
    // New signatures are a change.
    const updated = { ...b, products: [{ ...b.products[0]!, signaturesUpdatedAt: new Date(built + 3_600_000).toISOString(), signatureAgeHours: 0.3 }] };
    expect(postureHash(posture(updated))).not.toBe(postureHash(posture(a)));
    // Without the update time the age is all there is, so it stays in the hash.
    const ageOnly = (av: typeof a) => ({ ...av, products: av.products.map(({ signaturesUpdatedAt: _t, ...rest }) => rest) });
    expect(postureHash(posture(ageOnly(b)))).not.toBe(postureHash(posture(ageOnly(a))));
  });

  it('AV: CrowdStrike in reduced functionality mode is running but not protecting; MDE passive beside it', async () => {
    const host = fakeHost({
      files: { '/opt/CrowdStrike/falconctl': '' },
      commands: {
        '/opt/CrowdStrike/falconctl -g --aid --rfm-state --rfm-reason --version': { stdout: fixture('linux/falconctl/falconctl-g-rfm.txt') },
        'mdatp health --output json': { stdout: fixture('linux/mdatp/mdatp-health-active-anonymised.json').replace('"passiveModeEnabled":{"displayValue":true,"isManaged":false,"value":false}', '"passiveModeEnabled":{"displayValue":true,"isManaged":false,"value":true}') },
      },
    });
    const av = await readLinuxAv(host, procs('falcon-sensor', 'wdavdaemon'), { maxSignatureAgeHours: 1e9, now: new Date('2025-11-22T08:00:00Z') });
    expect(av.status).toBe('degraded');
    expect(av.reasons).toContain('CrowdStrike Falcon: reduced functionality mode (Unsupported kernel version)');
    expect(av.reasons).toContain('Microsoft Defender for Endpoint: passive mode and no other active antivirus');
  });

  it('AV: a generic process name alone is not a product; with the vendor files it is', async () => {
    expect((await readLinuxAv(fakeHost({}), procs('pmd', 'authorized'), { maxSignatureAgeHours: 48, now: new Date() })).products).toEqual([]);
    const withMarker = await readLinuxAv(fakeHost({ files: { '/opt/traps/bin/cytool': '' } }), procs('pmd'), { maxSignatureAgeHours: 48, now: new Date() });
    expect(withMarker.products.map((p) => [p.name, p.running])).toEqual([['Cortex XDR', true]]);
    expect(withMarker.status).toBe('protected');
  });

  it('AV: Wazuh alone watches but does not block: degraded, and a disconnected agent says so', async () => {
    const host = fakeHost({ files: { '/var/ossec/bin/wazuh-control': '', '/var/ossec/var/run/wazuh-agentd.state': "status='disconnected'\n" } });
    const av = await readLinuxAv(host, procs('wazuh-agentd'), { maxSignatureAgeHours: 48, now: new Date() });
    expect(av.status).toBe('degraded');
    expect(av.reasons).toEqual(['Wazuh agent: not connected to the Wazuh manager (disconnected)', 'Wazuh agent: monitoring/EDR only, does not block malware']);
  });

  it('AV: nothing installed is unprotected; an unreadable process list is unknown', async () => {
    expect((await readLinuxAv(fakeHost({}), procs('bash'), { maxSignatureAgeHours: 48, now: new Date() })).status).toBe('unprotected');
    expect((await readLinuxAv(fakeHost({}), undefined, { maxSignatureAgeHours: 48, now: new Date() })).status).toBe('unknown');
  });

  it('firewall: combines ufw, nft and iptables; unreadable front ends are listed', async () => {
    const errors = new ProbeErrors();
    const fw = await readLinuxFirewall(
      fakeHost({
        commands: {
          'ufw status verbose': { stdout: fixture('linux/ufw/ufw-status-verbose-inactive.txt') },
          'nft -j list ruleset': { stdout: fixture('linux/nft/nft-j-list-ruleset-input-drop.json') },
          'iptables-save': { code: 1, stderr: 'iptables-save v1.8.9 (nf_tables): Could not fetch rule set generation id: Permission denied (you must be root)' },
        },
      }),
      errors,
    );
    expect(fw).toMatchObject({ enabled: true, defaultInbound: 'deny', source: 'ufw status verbose, nft -j list ruleset' });
    expect(errors.list).toEqual([{ probe: 'network.firewall', error: expect.stringMatching(/^iptables: iptables-save exited 1: .*Permission denied/) }]);
  });
});
