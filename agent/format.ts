// A short human summary of a posture for `soclite agent scan` without --json.
import type { Posture } from '../protocol/index.js';

export function formatPosture(p: Posture): string {
  const lines: string[] = [];
  lines.push(`host: ${p.host.hostname} (${p.host.os.name} ${p.host.os.version}, kernel ${p.host.os.kernel})`);
  lines.push(`scan: ${Math.round(p.agent.scanMs)} ms, agent RSS ${(p.agent.rssBytes / 1048576).toFixed(1)} MB`);
  if (p.av) {
    lines.push(`antivirus/EDR: ${p.av.status}${p.av.reasons.length ? ' — ' + p.av.reasons.join('; ') : ''}`);
    for (const prod of p.av.products) {
      const age = prod.signatureAgeHours === undefined ? 'signature age unknown' : `signatures ${prod.signatureAgeHours.toFixed(1)} h old`;
      lines.push(`  - ${prod.name} (${prod.kind}): ${prod.running ? 'running' : 'not running'}, ${age}`);
    }
  } else lines.push('antivirus/EDR: unknown');
  if (p.patches) lines.push(`patches: ${p.patches.pendingTotal ?? '?'} pending, ${p.patches.pendingSecurity ?? '?'} security`);
  else lines.push('patches: unknown');
  if (p.network) {
    const exposed = p.network.listening.filter((s) => s.exposed);
    lines.push(`listening: ${p.network.listening.length} sockets, ${exposed.length} reachable from the network`);
    for (const s of exposed.slice(0, 20)) lines.push(`  - ${s.proto} ${s.address}:${s.port} ${s.process ?? '(process unknown)'}`);
    lines.push(`firewall: ${p.network.firewall?.enabled === undefined ? 'unknown' : p.network.firewall.enabled ? 'enabled' : 'disabled'}`);
  } else lines.push('network: unknown');
  const enc = p.hardening?.diskEncryption;
  lines.push(`disk encryption: ${enc ? (enc.enabled ? 'enabled' : 'disabled') : 'unknown'}`);
  if (p.agent.probeErrors.length) {
    lines.push('not read (unknown):');
    for (const e of p.agent.probeErrors) lines.push(`  - ${e.probe}: ${e.error}`);
  }
  return lines.join('\n');
}
