// Host inventory through systeminformation (os, machine id, uptime) and Node's os module (all addresses: si
// returns one IPv4/IPv6 per interface only). Every si call runs under our own timeout: si has no timeout and
// some calls have been known to never settle (endpoint-telemetry.md §2.3).
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

export async function readHostInventory(errors: ProbeErrors, now = new Date()): Promise<HostInventory> {
  const [osInfo, uuid, ifaces] = await Promise.allSettled([
    withTimeout(si.osInfo(), 10_000, 'systeminformation osInfo'),
    withTimeout(si.uuid(), 10_000, 'systeminformation uuid'),
    withTimeout(si.networkInterfaces() as Promise<si.Systeminformation.NetworkInterfacesData[]>, 10_000, 'systeminformation networkInterfaces'),
  ]);
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
  if (typeof uptime === 'number' && uptime > 0) host.bootAt = new Date(now.getTime() - uptime * 1000).toISOString();
  else errors.add('host.bootAt', 'uptime unavailable');

  const interfaces: NetworkSection['interfaces'] = [];
  const ips = new Set<string>();
  const macs = new Set<string>();
  const osIfaces = os.networkInterfaces();
  const siByName = new Map(ifaces.status === 'fulfilled' ? ifaces.value.map((i) => [i.iface, i]) : []);
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
