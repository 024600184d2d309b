// Every parser against the real-format fixtures in tests/fixtures (captured here or written in the tool's
// exact format), with the values a person reading the file would extract.
import { describe, expect, it } from 'vitest';
import { parsers } from '../../../agent/parsers.js';
import { fixture } from './fake-host.js';

const run = (id: string, rel: string) => parsers[id]!.parse(fixture(rel)) as Record<string, unknown>;

describe('linux parsers on captured and real-format fixtures', () => {
  it('apt list --upgradable: counts security suites apart', () => {
    const r = run('linux.apt-upgradable', 'linux/apt/apt-list-upgradable-debian12.txt') as { total: number; security: number; packages: { name: string; suites: string[]; security: boolean; from?: string }[] };
    const lines = fixture('linux/apt/apt-list-upgradable-debian12.txt').split('\n').filter((l) => l.includes('/'));
    expect(r.total).toBe(lines.length);
    expect(r.security).toBe(lines.filter((l) => /^[^/]+\/[^ ]*-security/.test(l)).length);
    const apt = r.packages.find((p) => p.name === 'apt')!;
    expect(apt).toMatchObject({ suites: ['oldstable-security'], security: true, from: '2.6.1' });
    expect(r.packages.find((p) => p.name === 'appstream')!.security).toBe(false);
  });

  it('/proc/net/tcp6 and udp6: decodes the dual-stack and loopback listeners, protocol from the header', () => {
    const tcp6 = parsers['linux.proc-net']!.parse(fixture('linux/proc-net/tcp6-debian12.txt')) as { proto: string; family: number; localAddress: string; localPort: number; state: number; listening: boolean }[];
    expect(tcp6).toContainEqual(expect.objectContaining({ proto: 'tcp', family: 6, localAddress: '::', localPort: 38002, state: 0x0a, listening: true }));
    expect(tcp6).toContainEqual(expect.objectContaining({ proto: 'tcp', family: 6, localAddress: '::1', localPort: 38003, state: 0x0a }));
    const udp = parsers['linux.proc-net']!.parse(fixture('linux/proc-net/udp-debian12.txt')) as { proto: string; family: number; localAddress: string; localPort: number }[];
    expect(udp).toContainEqual(expect.objectContaining({ proto: 'udp', family: 4, localAddress: '127.0.0.53', localPort: 38008 }));
    expect(new Set(udp.map((s) => s.proto))).toEqual(new Set(['udp']));
  });

  it('/proc/net tables concatenated (cat tcp tcp6 udp udp6) parse as the union of each table', () => {
    const names = ['tcp', 'tcp6', 'udp', 'udp6'];
    const each = names.map((n) => parsers['linux.proc-net']!.parse(fixture(`linux/proc-net/${n}-debian12.txt`)) as unknown[]);
    const all = parsers['linux.proc-net']!.parse(names.map((n) => fixture(`linux/proc-net/${n}-debian12.txt`)).join('')) as unknown[];
    expect(all).toEqual(each.flat());
    expect(() => parsers['linux.proc-net']!.parse(fixture('linux/proc-net/tcp-debian12.txt') + '  0: zz\n')).toThrow(/^line \d+: malformed socket entry/);
  });

  it('/proc/net agrees with ss captured at the same moment', () => {
    const ss = parsers['linux.ss']!.parse(fixture('linux/ss/ss-tulnH-debian12.txt')) as { proto: string; address: string; port: number }[];
    const fromProc: string[] = [];
    for (const f of ['tcp', 'tcp6', 'udp', 'udp6']) {
      const rows = parsers['linux.proc-net']!.parse(fixture(`linux/proc-net/${f}-debian12.txt`)) as { proto: string; localAddress: string; localPort: number; listening: boolean }[];
      for (const r of rows) if (r.listening) fromProc.push(`${r.proto} ${r.localAddress} ${r.localPort}`);
    }
    expect(new Set(fromProc)).toEqual(new Set(ss.map((s) => `${s.proto} ${s.address} ${s.port}`)));
  });

  it('empty output means none, where the tool prints nothing for none', () => {
    expect(parsers['linux.ss']!.parse('')).toEqual([]);
    expect(parsers['linux.apt-upgradable']!.parse('Listing...\n')).toEqual({ packages: [], total: 0, security: 0 });
    expect(parsers['linux.iptables-save']!.parse('')).toEqual({ enabled: false, defaultInbound: 'allow', inputRules: 0 });
  });

  it('ss -tulnpH: reads owning processes', () => {
    const ss = parsers['linux.ss']!.parse(fixture('linux/ss/ss-tulnpH-debian12.txt')) as { port: number; processes: { name: string }[] }[];
    expect(ss.find((s) => s.port === 38005)!.processes[0]!.name).toBe('node');
    expect(ss.find((s) => s.port === 2024)!.processes).toEqual([]);
  });

  it('firewall formats: iptables-save, nft JSON, ufw', () => {
    expect(run('linux.iptables-save', 'linux/iptables/iptables-save-input-drop.txt')).toEqual({ enabled: true, defaultInbound: 'deny', inputRules: 3 });
    const nft = run('linux.nft-ruleset', 'linux/nft/nft-j-list-ruleset-input-drop.json') as { enabled: boolean; defaultInbound: string; inputChains: { rules: number }[] };
    expect(nft.enabled).toBe(true);
    expect(nft.defaultInbound).toBe('deny');
    expect(nft.inputChains[0]!.rules).toBe(4);
    expect(run('linux.nft-ruleset', 'linux/nft/nft-j-list-ruleset-empty.json')).toEqual({ enabled: false, inputChains: [] });
    expect(run('linux.ufw', 'linux/ufw/ufw-status-verbose-inactive.txt')).toEqual({ enabled: false, rules: [] });
  });

  it('lsblk: encryption follows the crypt layer down to the mounts', () => {
    const luks = parsers['linux.lsblk']!.parse(fixture('linux/lsblk/lsblk-luks-lvm.json')) as { mount: string; encrypted: boolean; method?: string }[];
    expect(luks).toEqual([
      { mount: '/boot/efi', device: 'nvme0n1p1', encrypted: false },
      { mount: '/boot', device: 'nvme0n1p2', encrypted: false },
      { mount: '/', device: 'vg-root', encrypted: true, method: 'LUKS', cryptDevice: 'nvme0n1p3_crypt' },
    ]);
    expect(parsers['linux.lsblk']!.parse(fixture('linux/lsblk/lsblk-vm-plain.json'))).toEqual([{ mount: '/', device: 'vda', encrypted: false }]);
  });

  it('cryptsetup status: active LUKS2, and refuses a missing device', () => {
    expect(run('linux.cryptsetup', 'linux/cryptsetup/cryptsetup-status-luks2.txt')).toMatchObject({ active: true, inUse: true, type: 'LUKS2', cipher: 'aes-xts-plain64', device: '/dev/sda3' });
    expect(() => run('linux.cryptsetup', 'linux/cryptsetup/cryptsetup-status-missing.txt')).toThrow(/not cryptsetup status/);
  });

  it('timedatectl show, login.defs, PAM, pwquality, faillock, modprobe, sshd, group', () => {
    expect(run('linux.timedatectl', 'linux/timedatectl/timedatectl-show-synced.txt')).toEqual({ ntpEnabled: true, synchronized: true, timezone: 'Asia/Ho_Chi_Minh' });
    expect(run('linux.timedatectl', 'linux/timedatectl/timedatectl-show-off.txt')).toMatchObject({ ntpEnabled: false, synchronized: false });
    expect(run('linux.login-defs', 'linux/login-defs/login.defs-debian12')).toMatchObject({ passMaxDays: 99999, passMinDays: 0, passWarnAge: 7, umask: '022' });
    expect(run('linux.pam-password', 'linux/pam/common-password-debian12')).toEqual({ requiredClasses: [], options: {} });
    expect(run('linux.pam-password', 'linux/pam/common-password-pwquality')).toMatchObject({ quality: 'pam_pwquality', minLength: 14, history: 5, requiredClasses: ['digit', 'upper', 'lower', 'other'] });
    expect(run('linux.pwquality-conf', 'linux/pam/pwquality.conf-minclass3')).toEqual({ minlen: '12', minclass: '3', enforce_for_root: 'true' });
    expect(run('linux.modprobe-usb-storage', 'linux/modprobe/usb-storage-disabled.conf')).toEqual({ module: 'usb-storage', blacklisted: true, installDisabled: true });
    expect(run('linux.sshd-config', 'linux/sshd/sshd_config-hardened')).toMatchObject({ permitRootLogin: 'no', passwordAuthentication: false, maxAuthTries: 4, port: [22], includes: ['/etc/ssh/sshd_config.d/*.conf'] });
    expect(run('linux.group-admins', 'linux/group/group-debian12')).toEqual({ members: [], byGroup: { sudo: [] }, uid0: [] });
    expect(run('linux.os-release', 'linux/os-release/os-release-debian12')).toMatchObject({ id: 'debian', versionId: '12', versionCodename: 'bookworm' });
    expect(run('linux.apt-config', 'linux/apt-config/apt-config-dump-debian12.txt')).toEqual({ unattendedUpgrades: false });
  });

  it('AV/EDR formats: mdatp, falconctl, wazuh state', () => {
    expect(run('linux.mdatp', 'linux/mdatp/mdatp-health-active-anonymised.json')).toMatchObject({
      appVersion: '101.24082.0004',
      healthy: true,
      realTimeProtection: true,
      passiveMode: false,
      definitionsStatus: 'upToDate',
      definitionsUpdatedAt: '2025-11-22T07:00:00.000Z',
      tamperProtection: 'block',
    });
    expect(run('linux.mdatp', 'linux/mdatp/mdatp-health-unhealthy-anonymised.json')).toMatchObject({ healthy: false, healthIssues: ['no active event provider'], definitionsStatus: 'unavailable' });
    expect(run('linux.falconctl', 'linux/falconctl/falconctl-g-rfm.txt')).toMatchObject({ aidSet: true, reducedFunctionality: true, rfmReason: 'Unsupported kernel version', version: '7.10.17706.0' });
    const unreg = run('linux.falconctl', 'linux/falconctl/falconctl-g-unregistered.txt');
    expect(unreg).toMatchObject({ aidSet: false, version: '6.38.13501.0' });
    expect((unreg.values as Record<string, unknown>)['metadata-query']).toBe('enable');
    expect(run('linux.wazuh-agentd-state', 'linux/wazuh/wazuh-agentd-connected.state')).toEqual({ status: 'connected', lastKeepalive: '2026-11-22 09:14:58', lastAck: '2026-11-22 09:14:58', msgCount: 2154 });
  });

  it('ClamAV formats: clamd log, clamscan log, sigtool-built header agreeing with sigtool --info', () => {
    expect(run('linux.clamav-log', 'linux/clamav/clamd-log-eicar-found.txt')).toEqual({
      detections: [{ path: '/tmp/cd/eicar.com', signature: 'Soclite.Test.EICAR-1.UNOFFICIAL', loggedAt: 'Sun Nov 22 02:12:39 2026' }],
    });
    expect(run('linux.clamav-log', 'linux/clamav/clamscan-log-eicar-found.txt')).toEqual({ detections: [{ path: 'eicar.com', signature: 'Soclite.Test.EICAR-1.UNOFFICIAL' }], infectedFiles: 1, scannedFiles: 1 });
    const h = run('linux.clamav-db', 'linux/clamav/sigtool-build-unsigned-header-512.txt') as { version: number; signatures: number; functionalityLevel: number; builder: string; md5: string };
    const info = fixture('linux/clamav/sigtool-info-unsigned.txt');
    expect(info).toContain(`Version: ${h.version}`);
    expect(info).toContain(`Signatures: ${h.signatures}`);
    expect(info).toContain(`Functionality level: ${h.functionalityLevel}`);
    expect(info).toContain(`Builder: ${h.builder}`);
    expect(info).toContain(`MD5: ${h.md5}`);
  });
});

describe('macOS and Windows parsers on real-format fixtures', () => {
  it('socketfilterfw in both wordings', () => {
    expect(run('macos.socketfilterfw', 'macos/socketfilterfw/socketfilterfw-sonoma-enabled.txt')).toEqual({ enabled: true, state: 1, blockAll: false, stealth: true });
    expect(run('macos.socketfilterfw', 'macos/socketfilterfw/socketfilterfw-catalina-disabled.txt')).toEqual({ enabled: false, state: 0, blockAll: false, stealth: false });
  });
  it('lsof field output: family from the t field, connected sockets skipped', () => {
    const rows = parsers['macos.lsof-listen']!.parse(fixture('macos/lsof/lsof-listen-F.txt')) as { proto: string; address: string; port: number; command: string }[];
    expect(rows.map((r) => `${r.proto} ${r.address} ${r.port} ${r.command}`)).toEqual(['tcp :: 22 launchd', 'udp 0.0.0.0 5353 mDNSResponder', 'udp :: 5353 mDNSResponder', 'tcp 127.0.0.1 5432 postgres', 'tcp ::1 5432 postgres']);
  });

  it('fdesetup, softwareupdate, lsof', () => {
    expect(run('macos.fdesetup', 'macos/fdesetup/fdesetup-status-on.txt')).toEqual({ enabled: true });
    expect(run('macos.fdesetup', 'macos/fdesetup/fdesetup-status-encrypting.txt')).toEqual({ enabled: true, inProgress: 'encrypting', percent: 43.2 });
    expect(run('macos.fdesetup', 'macos/fdesetup/fdesetup-status-off.txt')).toEqual({ enabled: false });
    const su = run('macos.softwareupdate', 'macos/softwareupdate/softwareupdate-list-sonoma.txt') as { total: number; security: number; restartRequired: boolean; updates: { label: string; version?: string }[] };
    expect(su).toMatchObject({ total: 2, security: 1, restartRequired: true });
    expect(su.updates[1]).toMatchObject({ label: 'Safari18.1-18.1', version: '18.1', security: false });
    expect(run('macos.softwareupdate', 'macos/softwareupdate/softwareupdate-list-none.txt')).toEqual({ updates: [], total: 0, security: 0, restartRequired: false });
  });
  it('Get-MpComputerStatus (PowerShell 5.1 dates)', () => {
    expect(run('windows.defender', 'windows/defender/get-mpcomputerstatus-normal.json')).toEqual({
      passive: false,
      serviceEnabled: true,
      antivirusEnabled: true,
      realTimeProtection: true,
      runningMode: 'Normal',
      tamperProtected: true,
      signatureVersion: '1.421.1030.0',
      signatureUpdatedAt: '2025-11-22T07:00:00.000Z',
      signatureAgeDays: 0,
      signaturesOutOfDate: false,
      productVersion: '4.18.24090.11',
    });
  });
});

describe('garbage input is refused by every parser with a message', () => {
  const garbage = ['', 'hello world\nthis is not a tool output\n', '{"json": true}', '\u0000\u0001\u0002binary'];
  // For these an empty input is a real answer: no listening socket, no pending update, no iptables table
  // loaded, an empty config file; dnf prints nothing when no advisory or update applies.
  const emptyIsValid = new Set(['linux.ss', 'linux.apt-upgradable', 'linux.dnf-security', 'linux.dnf-check-update', 'linux.iptables-save', 'linux.pwquality-conf', 'linux.modprobe-usb-storage', 'macos.lsof-listen']);
  for (const [id, p] of Object.entries(parsers)) {
    it(id, () => {
      for (const g of garbage.filter((x) => x !== '' || !emptyIsValid.has(id))) {
        let threw: unknown;
        try {
          p.parse(g);
        } catch (err) {
          threw = err;
        }
        expect(threw, `${id} accepted ${JSON.stringify(g)}`).toBeInstanceOf(Error);
        expect((threw as Error).message.length).toBeGreaterThan(10);
      }
    });
  }
});
