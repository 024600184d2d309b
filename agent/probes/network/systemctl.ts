// Pure parsers for systemd unit state: `systemctl status <unit>` (human form, as captured by GLPI for
// firewalld) and `systemctl show -p ActiveState,SubState,UnitFileState <units...>` (machine form, blocks of
// KEY=VALUE separated by blank lines).
export interface UnitState {
  unit?: string;
  loaded?: boolean;
  enabled?: boolean;
  active: boolean;
  activeState: string;
  subState?: string;
  mainPid?: number;
}

export function parseSystemctlStatus(text: string): UnitState {
  const active = /^\s*Active:\s*(\S+)(?:\s+\(([^)]+)\))?/m.exec(text);
  if (!active) throw new Error('not systemctl status output: no "Active:" line');
  const out: UnitState = { active: active[1] === 'active', activeState: active[1]! };
  if (active[2]) out.subState = active[2];
  const head = /^\S*\s*([\w@.-]+\.(?:service|socket|timer))\s+-/m.exec(text);
  if (head) out.unit = head[1]!;
  const loaded = /^\s*Loaded:\s*(\S+)(?:\s+\(([^)]*)\))?/m.exec(text);
  if (loaded) {
    out.loaded = loaded[1] === 'loaded';
    const parts = (loaded[2] ?? '').split(';').map((s) => s.trim());
    if (parts[1] === 'enabled' || parts[1] === 'disabled') out.enabled = parts[1] === 'enabled';
  }
  const pid = /^\s*Main PID:\s*(\d+)/m.exec(text);
  if (pid) out.mainPid = Number(pid[1]);
  return out;
}

export function parseSystemctlShow(text: string): UnitState[] {
  const out: UnitState[] = [];
  for (const block of text.split(/\n\s*\n/)) {
    const kv = new Map<string, string>();
    for (const l of block.split('\n')) {
      const m = /^([A-Za-z]+)=(.*)$/.exec(l.trim());
      if (m) kv.set(m[1]!, m[2]!);
    }
    if (!kv.size) continue;
    const activeState = kv.get('ActiveState');
    if (activeState === undefined) throw new Error('systemctl show: a block has no ActiveState= (ask for -p ActiveState)');
    const u: UnitState = { active: activeState === 'active', activeState };
    if (kv.get('Id')) u.unit = kv.get('Id')!;
    if (kv.get('SubState')) u.subState = kv.get('SubState')!;
    const ufs = kv.get('UnitFileState');
    if (ufs) u.enabled = ufs === 'enabled' || ufs === 'enabled-runtime';
    if (kv.get('LoadState')) u.loaded = kv.get('LoadState') === 'loaded';
    const pid = kv.get('MainPID');
    if (pid && /^\d+$/.test(pid) && pid !== '0') u.mainPid = Number(pid);
    out.push(u);
  }
  if (!out.length) throw new Error('not systemctl show output: no KEY=VALUE lines');
  return out;
}
