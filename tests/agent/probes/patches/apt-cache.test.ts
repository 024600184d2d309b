// apt list --upgradable is reused between scans only while apt's inputs (dpkg status, the package lists, sources
// and pinning) keep their modification times; any change, e.g. a package installed, runs it again.
import { describe, expect, it } from 'vitest';
import { readLinuxPatches } from '../../../../agent/probes/patches/linux.js';
import { ProbeErrors } from '../../../../agent/probes/probe-errors.js';
import { fakeHost, fixture } from '../fake-host.js';

describe('apt list --upgradable between scans', () => {
  it('reuses the answer while dpkg status and the lists are unchanged, runs apt again when one changes', async () => {
    const base = fakeHost({
      commands: { 'apt list --upgradable': { stdout: fixture('linux/apt/apt-list-upgradable-debian12.txt') }, 'apt-config dump': { stdout: '' } },
      files: { '/var/lib/dpkg/status': '', '/var/lib/apt/lists': '' },
    });
    let dpkgChanged = new Date('2026-11-20T00:00:00Z');
    const host = { ...base, mtime: async (p: string) => (p === '/var/lib/dpkg/status' ? dpkgChanged : base.mtime(p)) };
    const aptRuns = () => base.calls.filter((c) => c === 'apt list --upgradable').length;

    const first = await readLinuxPatches(host, new ProbeErrors());
    const second = await readLinuxPatches(host, new ProbeErrors());
    expect(aptRuns()).toBe(1);
    expect(second?.pendingTotal).toBe(first?.pendingTotal);
    expect(second?.pendingSecurity).toBe(73);

    dpkgChanged = new Date('2026-11-21T08:00:00Z');
    await readLinuxPatches(host, new ProbeErrors());
    expect(aptRuns()).toBe(2);
  });

  it('a host without the dpkg status file is never served from the cache', async () => {
    const host = fakeHost({ commands: { 'apt list --upgradable': { stdout: 'Listing...\n' }, 'apt-config dump': { stdout: '' } } });
    await readLinuxPatches(host, new ProbeErrors());
    await readLinuxPatches(host, new ProbeErrors());
    expect(host.calls.filter((c) => c === 'apt list --upgradable')).toHaveLength(2);
  });
});
