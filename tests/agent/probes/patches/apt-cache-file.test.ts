// The agent runs each scan in a fresh process, so the reused `apt list --upgradable` answer is kept in a file
// in the agent's state dir: a second process with unchanged apt inputs must not run apt again, and a damaged
// cache file must be ignored (apt runs), never trusted.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseAptCacheEntry } from '../../../../agent/probes/patches/apt-cache-file.js';
import { ProbeErrors } from '../../../../agent/probes/probe-errors.js';
import { fakeHost, fixture } from '../fake-host.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'soclite-apt-cache-'));
  vi.stubEnv('SOCLITE_AGENT_SCAN_CACHE_DIR', path.join(dir, 'scan-cache'));
});
afterEach(() => {
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

/** linux.ts as a new scan process loads it: no answer in memory. */
async function freshScanProcess() {
  vi.resetModules();
  return (await import('../../../../agent/probes/patches/linux.js')).readLinuxPatches;
}

const host = () =>
  fakeHost({
    commands: { 'apt list --upgradable': { stdout: fixture('linux/apt/apt-list-upgradable-debian12.txt') }, 'apt-config dump': { stdout: '' } },
    files: { '/var/lib/dpkg/status': '', '/var/lib/apt/lists': '' },
  });
const aptRuns = (h: ReturnType<typeof host>) => h.calls.filter((c) => c === 'apt list --upgradable').length;

describe('apt list --upgradable kept between scan processes', () => {
  it('a second scan process with unchanged apt inputs reads the answer from the state dir', async () => {
    const h = host();
    const first = await (await freshScanProcess())(h, new ProbeErrors());
    const second = await (await freshScanProcess())(h, new ProbeErrors());
    expect(aptRuns(h)).toBe(1);
    expect(second).toEqual(first);
    expect(second?.pendingSecurity).toBe(73);
  });

  it('a damaged cache file is ignored and apt runs', async () => {
    const h = host();
    await (await freshScanProcess())(h, new ProbeErrors());
    writeFileSync(path.join(dir, 'scan-cache', 'apt-upgradable.json'), '{"signature": 1, "stdout": ');
    const p = await (await freshScanProcess())(h, new ProbeErrors());
    expect(aptRuns(h)).toBe(2);
    expect(p?.pendingSecurity).toBe(73);
  });

  it('without a cache dir (a one-off `agent scan`) every process runs apt', async () => {
    vi.stubEnv('SOCLITE_AGENT_SCAN_CACHE_DIR', '');
    const h = host();
    await (await freshScanProcess())(h, new ProbeErrors());
    await (await freshScanProcess())(h, new ProbeErrors());
    expect(aptRuns(h)).toBe(2);
  });

  it('parseAptCacheEntry accepts only {signature, at, stdout} with the right types', () => {
    expect(parseAptCacheEntry('{"signature":"1,2","at":5,"stdout":"Listing..."}')).toEqual({ signature: '1,2', at: 5, stdout: 'Listing...' });
    expect(parseAptCacheEntry('{"signature":"1,2","at":"5","stdout":"x"}')).toBeUndefined();
    expect(parseAptCacheEntry('[]')).toBeUndefined();
    expect(parseAptCacheEntry('not json')).toBeUndefined();
  });
});
