// Linux patch source. Debian/Ubuntu: reads the local package cache only; never runs `apt-get update` (the OS
// timer does that, and its success stamp tells how fresh the cache is). Without apt, dnf hosts (Fedora, RHEL and
// its rebuilds) are read by dnf-source.ts, also from the local cache only.
import type { PatchesSection } from '../../../protocol/posture.js';
import { CommandNotFound, reasonOf, type HostAccess } from '../host-access.js';
import type { ProbeErrors } from '../probe-errors.js';
import { parseAptUpgradable } from './apt.js';
import { unattendedUpgradesEnabled } from './apt-config.js';
import { lastDpkgInstall } from './dpkg-log.js';
import { readDnfPatches } from './dnf-source.js';
import { loadAptCacheEntry, saveAptCacheEntry, type AptCacheEntry } from './apt-cache-file.js';

// `apt list --upgradable` costs about a second of CPU (apt rebuilds its view of every package list), the largest
// single cost of a Linux scan. Its answer depends only on the installed set (dpkg status), the downloaded lists
// and apt's sources/pinning, so it is reused while their modification times are unchanged, for at most an hour.
const APT_INPUTS = ['/var/lib/dpkg/status', '/var/lib/apt/lists', '/etc/apt/sources.list', '/etc/apt/sources.list.d', '/etc/apt/preferences', '/etc/apt/preferences.d'];
const APT_CACHE_TTL_MS = 3600_000;
// In memory for a long-lived scanning process, on disk (apt-cache-file.ts) for the agent's one-scan children.
let aptCache: AptCacheEntry | undefined;

async function aptInputsSignature(host: HostAccess): Promise<string | undefined> {
  const times = await Promise.all(APT_INPUTS.map((p) => host.mtime(p).catch(() => null)));
  // Without the dpkg status file and the lists directory this is not a host whose apt state we can key on.
  if (!times[0] || !times[1]) return undefined;
  return times.map((t) => (t ? t.getTime() : '-')).join(',');
}

async function aptListUpgradable(host: HostAccess): Promise<{ stdout: string; stderr: string; code: number | null }> {
  const signature = await aptInputsSignature(host);
  aptCache ??= loadAptCacheEntry();
  if (signature && aptCache && aptCache.signature === signature && Date.now() - aptCache.at < APT_CACHE_TTL_MS) {
    return { stdout: aptCache.stdout, stderr: '', code: 0 };
  }
  const r = await host.exec('apt', ['list', '--upgradable'], { timeoutMs: 30_000 });
  if (r.code === 0 && signature) {
    aptCache = { signature, at: Date.now(), stdout: r.stdout };
    saveAptCacheEntry(aptCache);
  }
  return r;
}

export async function readLinuxPatches(host: HostAccess, errors: ProbeErrors, now = new Date()): Promise<PatchesSection | undefined> {
  let r;
  try {
    r = await aptListUpgradable(host);
  } catch (err) {
    if (!(err instanceof CommandNotFound)) {
      errors.add('patches', err);
      return undefined;
    }
    try {
      return await readDnfPatches(host, errors);
    } catch (dnfErr) {
      if (dnfErr instanceof CommandNotFound) errors.add('patches', 'neither apt nor dnf is installed: no supported package manager to read pending updates from');
      else errors.add('patches', dnfErr);
      return undefined;
    }
  }
  if (r.code !== 0) {
    errors.add('patches', `apt list --upgradable exited ${r.code}: ${r.stderr.trim().slice(0, 300)}`);
    return undefined;
  }
  const list = parseAptUpgradable(r.stdout);
  const section: PatchesSection = {
    pendingTotal: list.total,
    pendingSecurity: list.security,
    pending: list.packages.slice(0, 5000).map((p) => ({ name: p.name.slice(0, 200), version: p.version.slice(0, 128), security: p.security })),
    source: 'apt list --upgradable',
  };
  const stamp = await host.mtime('/var/lib/apt/periodic/update-success-stamp').catch(() => null);
  if (stamp) section.lastCheckAt = stamp.toISOString();
  else errors.add('patches.lastCheckAt', '/var/lib/apt/periodic/update-success-stamp absent: no record of a successful periodic apt update');
  try {
    const at = lastDpkgInstall(await host.readFile('/var/log/dpkg.log'), -now.getTimezoneOffset());
    if (at) section.lastInstallAt = at;
    else errors.add('patches.lastInstallAt', '/var/log/dpkg.log has no install or upgrade entry (rotated?)');
  } catch (err) {
    errors.add('patches.lastInstallAt', `/var/log/dpkg.log: ${reasonOf(err)}`);
  }
  // Debian's convention: packages that need a reboot create this file; its absence means none asked for one.
  section.rebootRequired = await host.exists('/var/run/reboot-required');
  try {
    const dump = await host.exec('apt-config', ['dump'], { timeoutMs: 5000 });
    if (dump.code === 0) {
      const uuInstalled = await host.exists('/usr/bin/unattended-upgrade');
      section.autoUpdate = uuInstalled && unattendedUpgradesEnabled(dump.stdout);
    } else errors.add('patches.autoUpdate', `apt-config dump exited ${dump.code}`);
  } catch (err) {
    errors.add('patches.autoUpdate', err);
  }
  return section;
}
