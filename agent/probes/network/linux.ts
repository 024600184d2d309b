// Linux network source: listening sockets from /proc/net (no spawn), firewall from ufw / nft / iptables.
import type { FirewallSection, ListeningSocket, NetworkSection } from '../../../protocol/posture.js';
import { CommandNotFound, reasonOf, type HostAccess } from '../host-access.js';
import type { ProcessSnapshot } from '../linux-processes.js';
import type { ProbeErrors } from '../probe-errors.js';
import { isListening, parseProcNet, type ProcNetSocket } from './proc-net.js';
import { isLoopback } from './ip-text.js';
import { parseUfwStatus } from './ufw.js';
import { parseNftRuleset } from './nft.js';
import { parseIptablesSave } from './iptables.js';
import { combineFirewall, type FirewallObservation } from './firewall.js';

const TABLES: [string, 'tcp' | 'udp'][] = [
  ['/proc/net/tcp', 'tcp'],
  ['/proc/net/tcp6', 'tcp'],
  ['/proc/net/udp', 'udp'],
  ['/proc/net/udp6', 'udp'],
];

export async function readListeningSockets(host: HostAccess, procs: ProcessSnapshot | undefined, errors: ProbeErrors): Promise<ListeningSocket[]> {
  const sockets: ProcNetSocket[] = [];
  for (const [file, proto] of TABLES) {
    let text: string;
    try {
      text = await host.readFile(file);
    } catch (err) {
      // tcp6/udp6 are absent when IPv6 is disabled in the kernel: that is a fact, not a failure.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' && file.endsWith('6')) continue;
      errors.add('network.listening', `${file}: ${reasonOf(err)}`);
      continue;
    }
    sockets.push(...parseProcNet(text, proto).filter(isListening));
  }
  if (!procs) errors.add('network.listening.process', 'process list unreadable: owning processes unknown');
  const seen = new Set<string>();
  const out: ListeningSocket[] = [];
  for (const s of sockets) {
    const owner = procs?.socketOwners.get(s.inode)?.[0];
    const key = `${s.proto} ${s.localAddress} ${s.localPort} ${owner?.pid ?? ''}`;
    if (seen.has(key)) continue; // SO_REUSEPORT groups list one socket per worker; one row is enough
    seen.add(key);
    const row: ListeningSocket = { proto: s.proto, address: s.localAddress, port: s.localPort, exposed: !isLoopback(s.localAddress) };
    if (owner) {
      row.process = owner.comm.slice(0, 256);
      row.pid = owner.pid;
    }
    out.push(row);
  }
  const unowned = out.filter((r) => r.pid === undefined).length;
  if (procs && unowned > 0) {
    errors.add(
      'network.listening.process',
      procs.fdDenied > 0
        ? `owning process unknown for ${unowned} listening sockets: the fd tables of ${procs.fdDenied} processes could not be read (not root, or another namespace)`
        : `owning process unknown for ${unowned} listening sockets: held by no visible process (another PID namespace)`,
    );
  }
  out.sort((a, b) => a.proto.localeCompare(b.proto) || a.port - b.port || a.address.localeCompare(b.address));
  return out;
}

/** Each firewall front end is tried; what could not be read is reported, and the verdict combines the rest. */
export async function readLinuxFirewall(host: HostAccess, errors: ProbeErrors): Promise<FirewallSection | undefined> {
  const seen: FirewallObservation[] = [];
  const failures: string[] = [];
  const attempt = async (name: string, fn: () => Promise<FirewallObservation | undefined>) => {
    try {
      const o = await fn();
      if (o) seen.push(o);
    } catch (err) {
      if (err instanceof CommandNotFound) return; // that front end is not installed: nothing to report
      failures.push(`${name}: ${reasonOf(err)}`);
    }
  };
  await attempt('ufw', async () => {
    const r = await host.exec('ufw', ['status', 'verbose'], { timeoutMs: 5000 });
    if (r.code !== 0) throw new Error(`ufw status exited ${r.code}: ${(r.stderr || r.stdout).trim().slice(0, 200)}`);
    return { source: 'ufw status verbose', ...parseUfwStatus(r.stdout) };
  });
  await attempt('nft', async () => {
    const r = await host.exec('nft', ['-j', 'list', 'ruleset'], { timeoutMs: 5000 });
    if (r.code !== 0) throw new Error(`nft exited ${r.code}: ${r.stderr.trim().slice(0, 200)}`);
    return { source: 'nft -j list ruleset', ...parseNftRuleset(r.stdout) };
  });
  await attempt('iptables', async () => {
    const r = await host.exec('iptables-save', [], { timeoutMs: 5000 });
    if (r.code !== 0) throw new Error(`iptables-save exited ${r.code}: ${r.stderr.trim().slice(0, 200)}`);
    return { source: 'iptables-save', ...parseIptablesSave(r.stdout) };
  });
  if (seen.length === 0) {
    errors.add('network.firewall', failures.length ? failures.join('; ') : 'no firewall front end (ufw, nft, iptables) is installed');
    return undefined;
  }
  for (const f of failures) errors.add('network.firewall', f);
  return combineFirewall(seen);
}

export async function readLinuxNetwork(host: HostAccess, procs: ProcessSnapshot | undefined, errors: ProbeErrors): Promise<NetworkSection> {
  const listening = await readListeningSockets(host, procs, errors);
  const firewall = await readLinuxFirewall(host, errors);
  const defaultGateways = await readDefaultGateways(host, errors);
  const section: NetworkSection = { listening, interfaces: [], defaultGateways };
  if (firewall) section.firewall = firewall;
  return section;
}

/** IPv4 default routes from /proc/net/route (gateway is a little-endian hex word). */
async function readDefaultGateways(host: HostAccess, errors: ProbeErrors): Promise<string[]> {
  try {
    const text = await host.readFile('/proc/net/route');
    const out: string[] = [];
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 3 || f[1] !== '00000000') continue;
      const g = f[2]!;
      if (!/^[0-9A-Fa-f]{8}$/.test(g)) continue;
      out.push([6, 4, 2, 0].map((i) => parseInt(g.slice(i, i + 2), 16)).join('.'));
    }
    return [...new Set(out)].slice(0, 16);
  } catch (err) {
    errors.add('network.defaultGateways', err);
    return [];
  }
}
