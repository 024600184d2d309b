// dnf on Fedora/RHEL: `dnf updateinfo list --security` in the dnf 4 and dnf 5 layouts, `dnf check-update`, and
// the Linux patches probe choosing dnf when apt is absent (injected host access).
import { describe, expect, it } from 'vitest';
import { parseDnfUpdateinfoList } from '../../../../agent/probes/patches/dnf-updateinfo.js';
import { parseDnfCheckUpdate } from '../../../../agent/probes/patches/dnf-check-update.js';
import { readLinuxPatches } from '../../../../agent/probes/patches/linux.js';
import { ProbeErrors } from '../../../../agent/probes/probe-errors.js';
import { fakeHost, fixture } from '../fake-host.js';

const EL9 = fixture('linux/dnf/dnf-updateinfo-list-security-el9.txt');
const F41 = fixture('linux/dnf/dnf5-updateinfo-list-security-fedora41.txt');
const CHECK = fixture('linux/dnf/dnf-check-update-el9.txt');

describe('dnf updateinfo list --security', () => {
  it('dnf 4: advisory, severity from "<Severity>/Sec.", NEVRA split with its epoch; packages counted once', () => {
    const r = parseDnfUpdateinfoList(EL9);
    expect(r.format).toBe('dnf4');
    expect(r.entries).toHaveLength(16);
    expect(r.entries[0]).toEqual({ advisory: 'RHSA-2024:0310', type: 'security', severity: 'Moderate', nevra: 'openssl-1:3.0.7-25.el9_3.x86_64', name: 'openssl', epoch: 1, version: '3.0.7', release: '25.el9_3', arch: 'x86_64' });
    expect(r.entries.find((e) => e.nevra === 'kernel-modules-core-5.14.0-362.24.1.el9_3.x86_64')).toMatchObject({ name: 'kernel-modules-core', version: '5.14.0', release: '362.24.1.el9_3', severity: 'Important' });
    // "Unknown/Sec." (no severity in the advisory) is the dnf 5 "None".
    expect(r.entries.at(-1)).toMatchObject({ advisory: 'RHSA-2024:1310', severity: 'None', name: 'tzdata', arch: 'noarch' });
    // kernel appears under two advisories (two newer builds) but is one pending update.
    expect(r.pendingSecurity).toBe(12);
    expect(r.advisories).toBe(7);
    expect(r.bySeverity).toEqual({ Critical: 1, Important: 3, Moderate: 1, Low: 1, None: 1 });
  });

  it('dnf 5 table: severity column, epoch in the NEVRA, issued time; an empty severity cell is None', () => {
    const r = parseDnfUpdateinfoList(F41);
    expect(r.format).toBe('dnf5');
    expect(r.pendingSecurity).toBe(7);
    expect(r.entries.find((e) => e.name === 'vim-minimal')).toMatchObject({ epoch: 2, version: '9.1.785', release: '1.fc41', severity: 'Low', issued: '2024-10-24 01:11:09' });
    const blank = 'Name Type Severity Package Issued\nFEDORA-2024-0000000001 security  bash-5.2.32-1.fc41.x86_64 2024-10-01 00:00:00\n';
    expect(parseDnfUpdateinfoList(blank).entries[0]).toMatchObject({ severity: 'None', name: 'bash' });
  });

  it('dnf 4 --all marks installed advisories, which are not pending; verbose adds the updated time', () => {
    const text = 'i RHSA-2024:0001 Important/Sec. bash-5.1.8-6.el9_1.x86_64\n  RHSA-2024:0002 Low/Sec.       zlib-1.2.11-40.el9.x86_64 2024-01-02 03:04:05\n';
    const r = parseDnfUpdateinfoList(text);
    expect(r.entries.map((e) => [e.name, e.installed, e.issued])).toEqual([
      ['bash', true, undefined],
      ['zlib', false, '2024-01-02 03:04:05'],
    ]);
    expect(r.pendingSecurity).toBe(1);
  });

  it('other advisory types are listed but not counted as security', () => {
    const r = parseDnfUpdateinfoList('RHBA-2024:0100 bugfix         tzdata-2024a-1.el9.noarch\nRHSA-2024:0101 Critical/Sec.  sudo-1.9.5p2-10.el9_3.x86_64\n');
    expect(r.entries.map((e) => e.type)).toEqual(['bugfix', 'security']);
    expect(r).toMatchObject({ pendingSecurity: 1, advisories: 1 });
  });

  it('nothing to report is an empty list (dnf prints nothing, or only its metadata line)', () => {
    expect(parseDnfUpdateinfoList('')).toMatchObject({ entries: [], pendingSecurity: 0 });
    expect(parseDnfUpdateinfoList('Last metadata expiration check: 0:00:12 ago on Tue 12 Mar 2024 09:14:03 AM UTC.\n').pendingSecurity).toBe(0);
  });

  it('refuses what is not this format, saying which line and why', () => {
    expect(() => parseDnfUpdateinfoList('Listing...\nbash/stable 5.2 amd64\n')).toThrow(/^line 1: not a "dnf updateinfo list" entry/);
    expect(() => parseDnfUpdateinfoList('RHSA-2024:0001 Urgent/Sec. bash-5.1.8-6.el9_1.x86_64\n')).toThrow(/line 1: unknown advisory label "Urgent\/Sec\."/);
    expect(() => parseDnfUpdateinfoList('RHSA-2024:0001 Important/Sec. not_a_nevra\n')).toThrow(/line 1: "not_a_nevra" is not a package NEVRA/);
    expect(() => parseDnfUpdateinfoList('Name Type Severity Package Issued\nFEDORA-1 security Urgent bash-5.2-1.fc41.x86_64 2024-10-01 00:00:00\n')).toThrow(/line 2: unknown advisory severity "Urgent"/);
    expect(() => parseDnfUpdateinfoList('Name Type Severity Package Issued\nFEDORA-1 security Low bash-5.2-1.fc41.x86_64\n')).toThrow(/line 2: not a "dnf advisory list" row/);
  });
});

describe('dnf check-update', () => {
  it('counts each pending package once: wrapped long names joined, obsoleted packages not counted', () => {
    const r = parseDnfCheckUpdate(CHECK);
    expect(r.total).toBe(15);
    expect(r.updates.find((u) => u.name === 'python3-setuptools-wheel')).toEqual({ name: 'python3-setuptools-wheel', arch: 'noarch', version: '53.0.0-12.el9_3.1', repo: 'baseos' });
    expect(r.updates.find((u) => u.name === 'NetworkManager')?.version).toBe('1:1.44.0-5.el9_3');
    expect(r.updates.filter((u) => u.name === 'grub2-tools')).toEqual([{ name: 'grub2-tools', arch: 'x86_64', version: '1:2.06-70.el9_3.2', repo: 'baseos' }]);
  });

  it('refuses other output', () => {
    expect(() => parseDnfCheckUpdate('Error: Cache-only enabled but no cache for "baseos"\n')).toThrow(/line 1: not a "dnf check-update" entry/);
    expect(() => parseDnfCheckUpdate('   indented nonsense here\n')).toThrow(/line 1: unexpected indented line/);
  });
});

describe('Linux patches probe on a dnf host (no apt)', () => {
  const dnfHost = (extra: Parameters<typeof fakeHost>[0] = {}) =>
    fakeHost({
      ...extra,
      commands: {
        'dnf -q -C check-update': { stdout: CHECK, code: 100 },
        'dnf -q -C updateinfo list --security': { stdout: EL9 },
        ...extra.commands,
      },
    });

  it('pending and security counts from dnf, security flagged per package, dnf-automatic read', async () => {
    const errors = new ProbeErrors();
    const host = dnfHost({ files: { '/etc/systemd/system/timers.target.wants/dnf-automatic.timer': '', '/etc/dnf/automatic.conf': '[commands]\nupgrade_type = security\napply_updates = yes\n' } });
    const p = await readLinuxPatches(host, errors);
    expect(host.calls.slice(0, 3)).toEqual(['apt list --upgradable', 'dnf -q -C check-update', 'dnf -q -C updateinfo list --security']);
    expect(p).toMatchObject({ pendingTotal: 15, pendingSecurity: 12, autoUpdate: true, source: 'dnf check-update, dnf updateinfo list --security' });
    expect(p!.pending!.filter((x) => x.security).map((x) => x.name).sort()).toEqual(
      ['gnutls', 'kernel', 'kernel-core', 'kernel-modules', 'kernel-modules-core', 'less', 'openssh', 'openssh-clients', 'openssh-server', 'openssl', 'openssl-libs', 'tzdata'].sort(),
    );
    expect(p!.pending!.find((x) => x.name === 'NetworkManager')!.security).toBe(false);
    // What dnf cannot tell is said, not guessed.
    expect(errors.list.map((e) => e.probe).sort()).toEqual(['patches.lastCheckAt', 'patches.rebootRequired']);
    expect(p!.rebootRequired).toBeUndefined();
  });

  it('no updates (exit 0) and no dnf-automatic: zero pending, auto update off', async () => {
    const p = await readLinuxPatches(dnfHost({ commands: { 'dnf -q -C check-update': { stdout: '', code: 0 }, 'dnf -q -C updateinfo list --security': { stdout: '' } } }), new ProbeErrors());
    expect(p).toMatchObject({ pendingTotal: 0, pendingSecurity: 0, pending: [], autoUpdate: false });
  });

  it('no metadata cache: the section is unknown with dnf\'s own message', async () => {
    const errors = new ProbeErrors();
    const p = await readLinuxPatches(dnfHost({ commands: { 'dnf -q -C check-update': { code: 1, stderr: "Error: Cache-only enabled but no cache for 'baseos'\n" } } }), errors);
    expect(p).toBeUndefined();
    expect(errors.list).toEqual([{ probe: 'patches', error: "dnf -C check-update exited 1: Error: Cache-only enabled but no cache for 'baseos'" }]);
  });

  it('security list unreadable: the total stays, pendingSecurity is unknown with the reason', async () => {
    const errors = new ProbeErrors();
    const p = await readLinuxPatches(dnfHost({ commands: { 'dnf -q -C updateinfo list --security': { stdout: 'garbage line here\n' } } }), errors);
    expect(p?.pendingTotal).toBe(15);
    expect(p?.pendingSecurity).toBeUndefined();
    expect(errors.list.find((e) => e.probe === 'patches.pendingSecurity')!.error).toMatch(/^line 1: unknown advisory label "line"/);
  });

  it('neither apt nor dnf: unknown, with that reason', async () => {
    const errors = new ProbeErrors();
    expect(await readLinuxPatches(fakeHost({}), errors)).toBeUndefined();
    expect(errors.list).toEqual([{ probe: 'patches', error: 'neither apt nor dnf is installed: no supported package manager to read pending updates from' }]);
  });
});
