// Pure parser for `dnf check-update` stdout (dnf 4 and dnf 5; exit code 100 means updates are available, 0 none):
//   <name>.<arch>   <[epoch:]version-release>   <repo>
// A name too long for its column is printed alone and the rest goes on the next, indented line. After an
// "Obsoleting Packages" heading come the replacing package (counted: it is an update to install) and, indented
// under it, the installed package it replaces (not counted). dnf 4 may add "Security: <nevra> is an installed
// security update" notes about the running kernel, which are not pending updates.
export interface DnfUpdate {
  name: string;
  arch: string;
  version: string;
  repo: string;
}

const NOISE = [
  /^Last metadata expiration check: /,
  /^Updating Subscription Management repositories\.$/,
  /^Unable to read consumer identity$/,
  /^This system is not registered (with an entitlement server|to Red Hat Subscription Management)/,
  /^Updating and loading repositories:$/,
  /^Repositories loaded\.$/,
  /^Security: \S+ is (an installed security update|the currently running version)$/,
];
const NAME_ARCH = /^([A-Za-z0-9_+.-]+)\.([A-Za-z0-9_]+)$/;
const EVR = /^(?:\d+:)?[A-Za-z0-9_.+~^]+-[A-Za-z0-9_.+~^]+$/;

export function parseDnfCheckUpdate(text: string): { updates: DnfUpdate[]; total: number } {
  const updates: DnfUpdate[] = [];
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  let obsoleting = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.trim() || NOISE.some((re) => re.test(line))) continue;
    if (/^Obsoleting [Pp]ackages$/.test(line)) {
      obsoleting = true;
      continue;
    }
    const indented = /^\s/.test(line);
    let f = line.trim().split(/\s+/);
    // Wrapped entry: the name.arch alone, its version and repo on the next indented line.
    if (!indented && f.length === 1 && /^\s/.test(lines[i + 1] ?? '') && lines[i + 1]!.trim().split(/\s+/).length === 2) {
      f = [f[0]!, ...lines[++i]!.trim().split(/\s+/)];
    } else if (indented) {
      // Under "Obsoleting Packages" an indented entry is the installed package being replaced.
      if (obsoleting && f.length === 3 && f[2]!.startsWith('@')) continue;
      throw new Error(`line ${i + 1}: unexpected indented line in "dnf check-update" output: ${JSON.stringify(line.slice(0, 120))}`);
    }
    const na = f.length === 3 ? NAME_ARCH.exec(f[0]!) : null;
    if (!na || !EVR.test(f[1]!) || !/^[\w@.:+-]+$/.test(f[2]!)) {
      throw new Error(`line ${i + 1}: not a "dnf check-update" entry (name.arch version repo): ${JSON.stringify(line.slice(0, 120))}`);
    }
    updates.push({ name: na[1]!, arch: na[2]!, version: f[1]!, repo: f[2]! });
  }
  // An obsoleting package is often also listed as a plain update: count each name.arch once.
  const seen = new Set<string>();
  const unique = updates.filter((u) => {
    const k = `${u.name}.${u.arch}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  return { updates: unique, total: unique.length };
}
