// Combines what each Linux firewall front end showed into one FirewallSection. ufw, firewalld and raw
// nftables/iptables are layers over the same kernel tables, so any one that enforces a default-deny input
// policy (or filters input at all) means the host filters inbound traffic.
import type { FirewallSection } from '../../../protocol/posture.js';

export type Inbound = 'allow' | 'deny' | 'reject' | 'unknown';

export interface FirewallObservation {
  source: string;
  /** the front end is switched on / the kernel has input filtering */
  enabled: boolean;
  defaultInbound?: Inbound;
}

export function combineFirewall(obs: FirewallObservation[]): FirewallSection {
  if (obs.length === 0) throw new Error('combineFirewall needs at least one observation');
  const enabled = obs.some((o) => o.enabled);
  const order: Inbound[] = ['deny', 'reject', 'allow', 'unknown'];
  // The strictest inbound default among the enabled layers is what a packet meets.
  const defaults = obs.filter((o) => o.enabled && o.defaultInbound).map((o) => o.defaultInbound!);
  const defaultInbound = defaults.length ? order.find((d) => defaults.includes(d))! : enabled ? 'unknown' : 'allow';
  return {
    enabled,
    defaultInbound,
    profiles: obs.slice(0, 16).map((o) => ({
      name: o.source.split(' ')[0]!.slice(0, 64),
      enabled: o.enabled,
      ...(o.defaultInbound ? { defaultInbound: o.defaultInbound } : {}),
    })),
    source: obs.map((o) => o.source).join(', ').slice(0, 200),
  };
}
