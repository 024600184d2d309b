// Pure parser for `apt list --upgradable` stdout:
//   name/suite[,suite2...] newVersion arch [upgradable from: oldVersion]
// A package is a security update when any of its suites contains "-security" (bookworm-security,
// oldstable-security, jammy-security...). "Listing..." and apt's stderr warning are not package lines.
export interface AptUpgradable {
  name: string;
  suites: string[];
  version: string;
  arch: string;
  from?: string;
  security: boolean;
}

export interface AptUpgradableList {
  packages: AptUpgradable[];
  total: number;
  security: number;
}

const LINE = /^([a-z0-9][a-z0-9+.-]*)\/(\S+)\s+(\S+)\s+(\S+)(?:\s+\[upgradable from: ([^\]]+)\])?\s*$/;

export function parseAptUpgradable(text: string): AptUpgradableList {
  const packages: AptUpgradable[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '').trim();
    if (!line || line === 'Listing...' || line.startsWith('Listing...') || /^WARNING: apt does not have a stable CLI/.test(line)) continue;
    const m = LINE.exec(line);
    if (!m) throw new Error(`line ${i + 1}: not an "apt list --upgradable" entry: ${JSON.stringify(line.slice(0, 100))}`);
    const suites = m[2]!.split(',').filter(Boolean);
    packages.push({
      name: m[1]!,
      suites,
      version: m[3]!,
      arch: m[4]!,
      ...(m[5] ? { from: m[5] } : {}),
      security: suites.some((s) => s.includes('-security')),
    });
  }
  return { packages, total: packages.length, security: packages.filter((p) => p.security).length };
}
