// Pure parser for `iptables-save` (filter table): the INPUT policy and whether INPUT has any rules.
import type { Inbound } from './firewall.js';

export interface IptablesSummary {
  enabled: boolean;
  defaultInbound?: Inbound;
  inputRules: number;
}

export function parseIptablesSave(text: string): IptablesSummary {
  const lines = text.split('\n').map((l) => l.trim());
  if (lines.every((l) => !l)) {
    // iptables-save prints nothing when no table is loaded: no filtering at all.
    return { enabled: false, defaultInbound: 'allow', inputRules: 0 };
  }
  let table = '';
  let policy: string | undefined;
  let inputRules = 0;
  let sawTable = false;
  for (const l of lines) {
    if (l.startsWith('*')) {
      table = l.slice(1);
      sawTable = true;
    } else if (table === 'filter' && l.startsWith(':INPUT ')) policy = l.split(/\s+/)[1];
    else if (table === 'filter' && /^-A INPUT\b/.test(l)) inputRules++;
  }
  if (!sawTable && !lines.some((l) => l.startsWith('#'))) throw new Error('not iptables-save output: no "*table" line');
  const defaultInbound: Inbound = policy === 'DROP' ? 'deny' : policy === 'ACCEPT' || policy === undefined ? 'allow' : 'unknown';
  return { enabled: policy === 'DROP' || inputRules > 0, defaultInbound, inputRules };
}
