// Pure parser for `Get-NetFirewallProfile [-PolicyStore ActiveStore] | ConvertTo-Json`. Enums as integers:
// Enabled is a GpoBoolean (0 False, 1 True, 2 NotConfigured); DefaultInboundAction is NetSecurity.Action
// (0 NotConfigured, 2 Allow, 4 Block). NotConfigured means the built-in default applies: firewall on, inbound
// blocked (Learn: Set-NetFirewallProfile). Names may also arrive as strings when a script used .ToString().
import type { FirewallSection } from '../../../protocol/posture.js';
import { asList, parsePsJson, str } from './cim-json.js';

export interface WindowsFirewallProfile {
  name: string;
  enabled: boolean;
  enabledSetting: 'True' | 'False' | 'NotConfigured';
  defaultInbound: 'allow' | 'deny' | 'unknown';
  defaultInboundSetting: string;
}

function enabledOf(v: unknown): WindowsFirewallProfile['enabledSetting'] {
  if (v === 1 || v === true || v === 'True') return 'True';
  if (v === 0 || v === false || v === 'False') return 'False';
  if (v === 2 || v === 'NotConfigured') return 'NotConfigured';
  throw new Error(`firewall profile: unknown Enabled value ${JSON.stringify(v)}`);
}

function inboundOf(v: unknown): [WindowsFirewallProfile['defaultInbound'], string] {
  if (v === 4 || v === 'Block') return ['deny', 'Block'];
  if (v === 2 || v === 'Allow') return ['allow', 'Allow'];
  if (v === 0 || v === 'NotConfigured') return ['deny', 'NotConfigured'];
  return ['unknown', String(v).slice(0, 32)];
}

export function firewallProfilesFrom(doc: unknown): WindowsFirewallProfile[] {
  const out: WindowsFirewallProfile[] = [];
  for (const p of asList(doc)) {
    const name = str(p.Name, 64) ?? str(p.Profile, 64);
    if (!name) throw new Error('firewall profile without Name/Profile');
    const enabledSetting = enabledOf(p.Enabled);
    const [defaultInbound, defaultInboundSetting] = inboundOf(p.DefaultInboundAction);
    out.push({ name, enabled: enabledSetting !== 'False', enabledSetting, defaultInbound, defaultInboundSetting });
  }
  if (!out.length) throw new Error('no firewall profile in the input');
  return out;
}

export function parseNetFirewallProfile(text: string): WindowsFirewallProfile[] {
  return firewallProfilesFrom(parsePsJson(text, 'Get-NetFirewallProfile'));
}

/** The host filters inbound traffic when every profile is on: a machine moves between networks. */
export function windowsFirewallSection(profiles: WindowsFirewallProfile[], source: string): FirewallSection {
  const allOn = profiles.every((p) => p.enabled);
  const inb = profiles.map((p) => p.defaultInbound);
  return {
    enabled: allOn,
    defaultInbound: inb.includes('allow') ? 'allow' : inb.includes('unknown') ? 'unknown' : 'deny',
    profiles: profiles.slice(0, 16).map((p) => ({ name: p.name, enabled: p.enabled, defaultInbound: p.defaultInboundSetting })),
    source,
  };
}
