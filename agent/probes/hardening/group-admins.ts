// Pure parser for /etc/group (and /etc/passwd for primary-group members and UID 0 accounts): who holds
// administrative rights. Members of sudo (Debian/Ubuntu), wheel (RHEL, Arch) and admin (old Ubuntu) can run
// anything as root; an account with UID 0 is root.
export interface LocalAdmins {
  members: string[];
  byGroup: Record<string, string[]>;
  uid0: string[];
}

const ADMIN_GROUPS = ['sudo', 'wheel', 'admin'];

export function parseLocalAdmins(groupText: string, passwdText?: string): LocalAdmins {
  const byGroup: Record<string, string[]> = {};
  const gids = new Map<string, string>();
  let lines = 0;
  for (const raw of groupText.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const f = line.split(':');
    if (f.length < 4) throw new Error(`not an /etc/group line: ${JSON.stringify(line.slice(0, 60))}`);
    lines++;
    if (!ADMIN_GROUPS.includes(f[0]!)) continue;
    byGroup[f[0]!] = f[3]!.split(',').map((s) => s.trim()).filter(Boolean);
    gids.set(f[2]!, f[0]!);
  }
  if (lines === 0) throw new Error('not an /etc/group file: no name:x:gid:members lines');
  const uid0: string[] = [];
  if (passwdText !== undefined) {
    for (const raw of passwdText.split('\n')) {
      const f = raw.trim().split(':');
      if (f.length < 7) continue;
      if (f[2] === '0') uid0.push(f[0]!);
      const g = gids.get(f[3]!);
      if (g && !byGroup[g]!.includes(f[0]!)) byGroup[g]!.push(f[0]!);
    }
  }
  const members = [...new Set([...uid0, ...Object.values(byGroup).flat()])].sort();
  return { members, byGroup, uid0 };
}
