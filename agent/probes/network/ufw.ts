// Pure parser for `ufw status` and `ufw status verbose` (English; run with LC_ALL=C).
import type { Inbound } from './firewall.js';

export interface UfwStatus {
  enabled: boolean;
  defaultInbound?: Inbound;
  rules: { to: string; action: string; from: string }[];
}

export function parseUfwStatus(text: string): UfwStatus {
  const status = /^Status:\s*(active|inactive)\s*$/m.exec(text);
  if (!status) throw new Error('not ufw status output: no "Status: active|inactive" line');
  const out: UfwStatus = { enabled: status[1] === 'active', rules: [] };
  const def = /^Default:\s*(allow|deny|reject)\s*\(incoming\)/m.exec(text);
  if (def) out.defaultInbound = def[1] as Inbound;
  const lines = text.split('\n');
  const start = lines.findIndex((l) => /^--\s+-+\s+--/.test(l.trim()));
  if (start >= 0) {
    for (const l of lines.slice(start + 1)) {
      if (!l.trim()) continue;
      // Columns are separated by runs of 2+ spaces; the action may be two words ("ALLOW IN", "DENY OUT").
      const cols = l.trim().split(/\s{2,}/);
      if (cols.length >= 3) out.rules.push({ to: cols[0]!, action: cols[1]!, from: cols.slice(2).join(' ') });
    }
  }
  return out;
}
