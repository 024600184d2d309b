// Pure parsers for Palo Alto Cortex XDR `cytool` (Linux /opt/traps/bin/cytool, macOS
// /Library/Application Support/PaloAltoNetworks/Traps/bin/cytool): `info` (version banner), `info query`
// (content version) and `runtime query` (the agent's processes and whether each runs).
export interface CytoolInfo {
  version?: string;
  contentVersion?: string;
  contentBuild?: string;
}

export function parseCytoolInfo(text: string): CytoolInfo {
  const out: CytoolInfo = {};
  const v = /Cortex XDR \(R\) supervisor tool (\S+)/.exec(text);
  if (v) out.version = v[1]!;
  const cv = /^Content Version:\s*(\S+)/m.exec(text);
  if (cv) out.contentVersion = cv[1]!;
  const cb = /^Content Build:\s*(\S+)/m.exec(text);
  if (cb) out.contentBuild = cb[1]!;
  if (!out.version && !out.contentVersion) throw new Error('not cytool info output: no "Cortex XDR (R) supervisor tool" banner or "Content Version:" line');
  return out;
}

export interface CytoolRuntime {
  processes: { name: string; pid?: number; user: string; status: string; command: string }[];
  allRunning: boolean;
}

export function parseCytoolRuntime(text: string): CytoolRuntime {
  const lines = text.split('\n');
  const hi = lines.findIndex((l) => /^\s*Name\s+PID\s+User\s+Status\s+Command\s*$/.test(l));
  if (hi < 0) throw new Error('not cytool runtime query output: no "Name PID User Status Command" header');
  const processes: CytoolRuntime['processes'] = [];
  for (const l of lines.slice(hi + 1)) {
    if (!l.trim()) continue;
    // The command column is tab-separated and may contain spaces; so may the name ("cortex xdr").
    const [left, ...cmd] = l.split('\t').filter((x) => x !== '');
    const m = /^\s*(.+?)\s+(\d+|N\/A|-)\s+(\S+)\s+(\S+)\s*$/.exec(left ?? '');
    if (!m) throw new Error(`cytool runtime query: cannot read row ${JSON.stringify(l.slice(0, 80))}`);
    processes.push({ name: m[1]!, ...(/^\d+$/.test(m[2]!) ? { pid: Number(m[2]) } : {}), user: m[3]!, status: m[4]!, command: cmd.join('\t').trim() });
  }
  return { processes, allRunning: processes.length > 0 && processes.every((p) => p.status === 'Running' || p.status === 'Loaded') };
}
