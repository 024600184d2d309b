// Linux hardening source: disk encryption (lsblk), time sync (timedatectl). Each fact it cannot read is
// listed in probeErrors with the reason; nothing is defaulted.
import type { HardeningSection } from '../../../protocol/posture.js';
import type { HostAccess } from '../host-access.js';
import type { ProbeErrors } from '../probe-errors.js';
import { parseLsblk } from './lsblk.js';
import { parseTimedatectlShow } from './timedatectl.js';

async function fact<T>(errors: ProbeErrors, name: string, fn: () => Promise<T | undefined>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    errors.add(`hardening.${name}`, err);
    return undefined;
  }
}

export async function readLinuxHardening(host: HostAccess, errors: ProbeErrors): Promise<HardeningSection> {
  const h: HardeningSection = {};
  const disk = await fact(errors, 'diskEncryption', async () => {
    const r = await host.exec('lsblk', ['-J', '-o', 'NAME,TYPE,FSTYPE,MOUNTPOINT'], { timeoutMs: 5000 });
    if (r.code !== 0) throw new Error(`lsblk exited ${r.code}: ${r.stderr.trim().slice(0, 200)}`);
    const mounts = parseLsblk(r.stdout);
    const root = mounts.find((m) => m.mount === '/');
    if (!root) throw new Error('lsblk shows no block device mounted on / (container or network root): encryption not observable');
    return {
      enabled: root.encrypted,
      volumes: mounts.slice(0, 64).map((m) => ({ mount: m.mount.slice(0, 512), encrypted: m.encrypted, ...(m.method ? { method: m.method } : {}) })),
      source: 'lsblk -J -o NAME,TYPE,FSTYPE,MOUNTPOINT',
    };
  });
  if (disk) h.diskEncryption = disk;
  const time = await fact(errors, 'timeSync', async () => {
    const r = await host.exec('timedatectl', ['show'], { timeoutMs: 5000 });
    if (r.code !== 0) throw new Error(`timedatectl show exited ${r.code}: ${(r.stderr || r.stdout).trim().slice(0, 200)}`);
    const t = parseTimedatectlShow(r.stdout);
    return { enabled: t.ntpEnabled, synchronized: t.synchronized, source: 'timedatectl show' };
  });
  if (time) h.timeSync = time;
  return h;
}
