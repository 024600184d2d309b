// Fedora/RHEL/Alma/Rocky patch source, used when apt is absent and dnf is present. Runs dnf from its local
// metadata cache only (-C): refreshing repositories is dnf-makecache.timer's job, and a scan must not download.
import type { PatchesSection } from '../../../protocol/posture.js';
import { reasonOf, type HostAccess } from '../host-access.js';
import type { ProbeErrors } from '../probe-errors.js';
import { parseDnfCheckUpdate } from './dnf-check-update.js';
import { parseDnfUpdateinfoList } from './dnf-updateinfo.js';

const DNF_TIMEOUT_MS = 30_000;
const SOURCE = 'dnf check-update, dnf updateinfo list --security';

export async function readDnfPatches(host: HostAccess, errors: ProbeErrors): Promise<PatchesSection | undefined> {
  const check = await host.exec('dnf', ['-q', '-C', 'check-update'], { timeoutMs: DNF_TIMEOUT_MS });
  // dnf check-update: 100 = updates available, 0 = none, anything else = failure (e.g. no metadata cache).
  if (check.code !== 0 && check.code !== 100) {
    errors.add('patches', `dnf -C check-update exited ${check.code}: ${check.stderr.trim().slice(0, 300) || 'no message'}`);
    return undefined;
  }
  const list = parseDnfCheckUpdate(check.stdout);
  const section: PatchesSection = { pendingTotal: list.total, source: SOURCE };
  let securityNames = new Set<string>();
  try {
    const sec = await host.exec('dnf', ['-q', '-C', 'updateinfo', 'list', '--security'], { timeoutMs: DNF_TIMEOUT_MS });
    if (sec.code !== 0) throw new Error(`dnf -C updateinfo list --security exited ${sec.code}: ${sec.stderr.trim().slice(0, 300) || 'no message'}`);
    const s = parseDnfUpdateinfoList(sec.stdout);
    section.pendingSecurity = s.pendingSecurity;
    securityNames = new Set(s.entries.filter((e) => e.type === 'security' && e.installed !== true).map((e) => `${e.name}.${e.arch}`));
  } catch (err) {
    errors.add('patches.pendingSecurity', reasonOf(err));
  }
  section.pending = list.updates.slice(0, 5000).map((u) => ({
    name: u.name.slice(0, 200),
    version: u.version.slice(0, 128),
    security: securityNames.has(`${u.name}.${u.arch}`),
  }));
  // dnf-automatic installs updates when its -install timer is enabled, or the plain timer with apply_updates.
  try {
    const wants = '/etc/systemd/system/timers.target.wants';
    if (await host.exists(`${wants}/dnf-automatic-install.timer`)) section.autoUpdate = true;
    else if (await host.exists(`${wants}/dnf-automatic.timer`)) {
      const conf = await host.readFile('/etc/dnf/automatic.conf', { maxBytes: 256 * 1024 });
      section.autoUpdate = /^\s*apply_updates\s*=\s*(yes|true|1|on)\s*$/im.test(conf);
    } else section.autoUpdate = false;
  } catch (err) {
    errors.add('patches.autoUpdate', `dnf-automatic: ${reasonOf(err)}`);
  }
  errors.add('patches.lastCheckAt', 'not read on dnf hosts: dnf keeps no success stamp of its metadata refresh');
  errors.add('patches.rebootRequired', 'not read on dnf hosts: needs-restarting -r would be required');
  return section;
}
