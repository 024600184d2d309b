// Host inventory through systeminformation (os, machine id, uptime) and Node's os module (all addresses: si
// returns one IPv4/IPv6 per interface only). Every si call runs under our own timeout: si has no timeout and
// some calls have been known to never settle (endpoint-telemetry.md §2.3).
// Cost: si.osInfo and si.uuid start about 15 child processes (hostname, date, ls, cat ...) and
// si.networkInterfaces about 60 (a shell and cat per /sys/class/net file), which made them most of a Linux
// scan's process starts. OS identity and machine id change only with an upgrade or a reinstall, so they are
// kept for STATIC_FACTS_TTL_MS between scans; on Linux the up/down state is read from sysfs directly.
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import si from 'systeminformation';
import type { HostSection, NetworkSection } from '../../../protocol/posture.js';
import type { ProbeErrors } from '../probe-errors.js';
import { hardwareIdFrom } from './hardware-id.js';

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      t = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(t));
}

function platformOf(p: string): HostSection['os']['platform'] {
  return p === 'linux' || p === 'darwin' ? p : p === 'win32' || p === 'Windows' ? 'windows' : 'other';
}

export interface HostInventory {
  host: HostSection;
  interfaces: NetworkSection['interfaces'];
}

const STATIC_FACTS_TTL_MS = 6 * 3600_000;
let staticFacts: { at: number; hostname: string; osInfo: si.Systeminformation.OsData; uuid: si.Systeminformation.UuidData } | undefined;

/** OS identity and machine id, from systeminformation at most every STATIC_FACTS_TTL_MS (failures are not kept). */
async function osIdentity(nowMs: number): Promise<[PromiseSettledResult<si.Systeminformation.OsData>, PromiseSettledResult<si.Systeminformation.UuidData>]> {
  // A renamed host is read again at once: si's hostname is the FQDN, which os.hostname() does not give.
  if (staticFacts && nowMs - staticFacts.at < STATIC_FACTS_TTL_MS && staticFacts.hostname === os.hostname()) {
    return [{ status: 'fulfilled', value: staticFacts.osInfo }, { status: 'fulfilled', value: staticFacts.uuid }];
  }
  const [osInfo, uuid] = await Promise.allSettled([withTimeout(si.osInfo(), 10_000, 'systeminformation osInfo'), withTimeout(si.uuid(), 10_000, 'systeminformation uuid')]);
  if (osInfo.status === 'fulfilled' && uuid.status === 'fulfilled' && uuid.value.os) staticFacts = { at: nowMs, hostname: os.hostname(), osInfo: osInfo.value, uuid: uuid.value };
  return [osInfo, uuid];
}

/** Interface up/down: /sys/class/net/<name>/operstate on Linux (no child process), systeminformation elsewhere. */
async function interfaceStates(names: string[]): Promise<Map<string, { operstate: string; internal: boolean }>> {
  if (process.platform === 'linux') {
    const out = new Map<string, { operstate: string; internal: boolean }>();
    for (const name of names) {
      if (!/^[\w.:@-]{1,64}$/.test(name)) continue;
      try {
        out.set(name, { operstate: (await readFile(`/sys/class/net/${name}/operstate`, 'utf8')).trim(), internal: name === 'lo' });
      } catch {
        // An interface that vanished between the two reads has no state: leave "up" absent.
      }
    }
    return out;
  }
  const list = (await withTimeout(si.networkInterfaces() as Promise<si.Systeminformation.NetworkInterfacesData[]>, 10_000, 'systeminformation networkInterfaces')) ?? [];
  return new Map(list.map((i) => [i.iface, { operstate: i.operstate, internal: i.internal }]));
}

/**
 * The boot time from the clock and the uptime, to the minute. Computed to the millisecond it moved by tens of
 * milliseconds from one scan to the next (the clock and the uptime are read at slightly different moments, and
 * clock adjustments move it too), so every scan of an unchanged machine had a new posture hash: a changed
 * posture, evaluated and stored again, every few minutes per machine.
 */
export function bootTimeFrom(nowMs: number, uptimeSec: number): string {
  return new Date(Math.round((nowMs - uptimeSec * 1000) / 60_000) * 60_000).toISOString();
}

export async function readHostInventory(errors: ProbeErrors, now = new Date()): Promise<HostInventory> {
  const osIfaces = os.networkInterfaces();
  const [[osInfo, uuid], ifaces] = await Promise.all([osIdentity(now.getTime()), interfaceStates(Object.keys(osIfaces)).then(
    (value) => ({ status: 'fulfilled' as const, value }),
    (reason: unknown) => ({ status: 'rejected' as const, reason }),
  )]);
  const host: HostSection = {
    hostname: os.hostname().slice(0, 255),
    os: { platform: platformOf(process.platform), family: os.type(), name: os.type(), version: os.release(), build: '', kernel: os.release() },
    hardwareId: '',
    ips: [],
    macs: [],
  };
  if (osInfo.status === 'fulfilled') {
    const o = osInfo.value;
    host.os = {
      platform: platformOf(o.platform),
      family: (o.logofile || o.platform).slice(0, 64),
      name: (o.distro || o.platform).slice(0, 128),
      version: [o.release, o.codename && `(${o.codename})`].filter(Boolean).join(' ').slice(0, 64),
      build: (o.build || '').slice(0, 64),
      kernel: (o.kernel || os.release()).slice(0, 128),
    };
    if (o.hostname) host.hostname = o.hostname.slice(0, 255);
  } else errors.add('host.os', osInfo.reason);
  if (uuid.status === 'fulfilled' && uuid.value.os) {
    try {
      host.hardwareId = hardwareIdFrom(uuid.value.os);
    } catch (err) {
      errors.add('host.hardwareId', err);
    }
  } else errors.add('host.hardwareId', uuid.status === 'rejected' ? uuid.reason : 'systeminformation uuid returned no machine id');
  // si.time().uptime is seconds since boot (os.uptime underneath on Linux).
  const uptime = si.time().uptime;
  if (typeof uptime === 'number' && uptime > 0) host.bootAt = bootTimeFrom(now.getTime(), uptime);
  else errors.add('host.bootAt', 'uptime unavailable');

  const interfaces: NetworkSection['interfaces'] = [];
  const ips = new Set<string>();
  const macs = new Set<string>();
  const siByName = ifaces.status === 'fulfilled' ? ifaces.value : new Map<string, { operstate: string; internal: boolean }>();
  if (ifaces.status === 'rejected') errors.add('network.interfaces.up', ifaces.reason);
  for (const [name, addrs] of Object.entries(osIfaces)) {
    if (!addrs) continue;
    const mac = addrs.find((a) => a.mac && a.mac !== '00:00:00:00:00:00')?.mac;
    const internal = addrs.every((a) => a.internal);
    const addresses = addrs.map((a) => a.address).slice(0, 64);
    if (!internal) {
      for (const a of addrs) if (!a.internal) ips.add(a.address);
      if (mac) macs.add(mac);
    }
    const info = siByName.get(name);
    interfaces.push({
      name: name.slice(0, 64),
      ...(mac ? { mac } : {}),
      addresses,
      ...(info ? { up: info.operstate === 'up' || (info.internal && info.operstate !== 'down') } : {}),
    });
  }
  host.ips = [...ips].slice(0, 256);
  host.macs = [...macs].slice(0, 256);
  return { host, interfaces: interfaces.slice(0, 256) };
}
