// Pure parser for macOS `launchctl list`: "PID<TAB>Status<TAB>Label" rows; PID "-" means not running; Status is
// the last exit status (negative = killed by that signal).
export interface LaunchdJob {
  label: string;
  pid?: number;
  lastExitStatus?: number;
  running: boolean;
}

export function parseLaunchctlList(text: string): LaunchdJob[] {
  const lines = text.split('\n');
  if (!/^PID\s+Status\s+Label\s*$/.test(lines[0]?.trim() ?? '')) throw new Error('not launchctl list output: no "PID Status Label" header');
  const out: LaunchdJob[] = [];
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i]!.trim();
    if (!l) continue;
    const m = /^(-|\d+)\s+(-|-?\d+)\s+(\S.*)$/.exec(l);
    if (!m) throw new Error(`launchctl list line ${i + 1}: ${JSON.stringify(l.slice(0, 80))}`);
    out.push({
      label: m[3]!,
      running: m[1] !== '-',
      ...(m[1] !== '-' ? { pid: Number(m[1]) } : {}),
      ...(m[2] !== '-' ? { lastExitStatus: Number(m[2]) } : {}),
    });
  }
  return out;
}
