// Pure parser for SentinelOne's `sentinelctl version`, `engines status`, `control status` and
// `management status` output (GLPI Linux/AntiVirus/Sentinelone.pm reads the same). "Agent state Enabled" means
// protection is on; "Connectivity On" (console reachable) is the best available proxy for up to date.
export interface SentinelctlStatus {
  agentVersion?: string;
  agentEnabled?: boolean;
  antiTamper?: boolean;
  connectivity?: boolean;
  engines: Record<string, string>;
  processes: { name: string; pid: number }[];
}

export function parseSentinelctl(text: string): SentinelctlStatus {
  const out: SentinelctlStatus = { engines: {}, processes: [] };
  let recognised = false;
  let inProcesses = false;
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (!line.trim()) {
      inProcesses = false;
      continue;
    }
    let m: RegExpExecArray | null;
    if ((m = /^Agent version:\s*(\S+)/.exec(line))) {
      out.agentVersion = m[1]!;
      recognised = true;
    } else if ((m = /^Agent state\s+(\S+)/.exec(line))) {
      out.agentEnabled = m[1] === 'Enabled';
      recognised = true;
    } else if (/^Process Name\s+PID$/.test(line)) inProcesses = true;
    else if (inProcesses && (m = /^(\S+)\s+(\d+)$/.exec(line))) out.processes.push({ name: m[1]!, pid: Number(m[2]) });
    else if ((m = /^Anti Tamper\s+(On|Off)$/.exec(line))) out.antiTamper = m[1] === 'On';
    else if ((m = /^Connectivity\s+(On|Off)$/.exec(line))) {
      out.connectivity = m[1] === 'On';
      recognised = true;
    } else if ((m = /^((?:DFI|Dynamic|Static|Reputation|Application control)[^\t]*?)\s{2,}(\S.*)$/.exec(line))) {
      out.engines[m[1]!.trim()] = m[2]!.trim();
    } else inProcesses = false;
  }
  if (!recognised) throw new Error('not sentinelctl output: no "Agent version:", "Agent state" or "Connectivity" line');
  return out;
}
