// Pure parser for `dnf updateinfo list --security` stdout, in both layouts dnf has printed:
//   dnf 4 (RHEL/Alma/Rocky 8-9, Fedora <= 40; also `yum updateinfo list security` on EL7):
//     [i |  ]<advisory id> <Severity>/Sec. <package NEVRA> [<updated YYYY-MM-DD HH:MM:SS> when verbose]
//     labels from dnf/cli/commands/updateinfo.py: Critical/Sec. Important/Sec. Moderate/Sec. Low/Sec., and
//     Unknown/Sec. for an advisory with no severity; other types print bugfix/enhancement/newpackage/unknown.
//   dnf 5 (Fedora >= 41, `updateinfo` is an alias of `advisory`): a libsmartcols table
//     Name  Type  Severity  Package  Issued
//     with the advisory's own severity word (Critical, Important, Moderate, Low, None) or an empty cell.
// A "pending security update" is one package (name.arch) that some security advisory updates: dnf lists a
// package once per advisory and once per newer build, so those are counted once.
export type DnfSeverity = 'Critical' | 'Important' | 'Moderate' | 'Low' | 'None';

export interface DnfAdvisoryEntry {
  advisory: string;
  type: 'security' | 'bugfix' | 'enhancement' | 'newpackage' | 'unknown';
  severity: DnfSeverity;
  nevra: string;
  name: string;
  epoch?: number;
  version: string;
  release: string;
  arch: string;
  /** dnf 4 with --all: the advisory's package is already installed ("i " mark) */
  installed?: boolean;
  /** dnf 4 verbose / dnf 5 "Issued" column, as printed (local time of the advisory's issue date) */
  issued?: string;
}

export interface DnfSecurityList {
  format: 'dnf4' | 'dnf5';
  entries: DnfAdvisoryEntry[];
  /** distinct security advisories */
  advisories: number;
  /** distinct name.arch updated by a security advisory and not yet installed */
  pendingSecurity: number;
  /** distinct security advisories by severity */
  bySeverity: Record<DnfSeverity, number>;
}

// Lines dnf/yum print around the list (to stdout when not run with -q). Anything else is not this format.
const NOISE = [
  /^Last metadata expiration check: /,
  /^Updating Subscription Management repositories\.$/,
  /^Unable to read consumer identity$/,
  /^This system is not registered (with an entitlement server|to Red Hat Subscription Management)/,
  /^Loaded plugins: /,
  /^Loading mirror speeds from cached hostfile$/,
  /^ \* [\w.-]+: \S+$/,
  /^updateinfo list done$/,
  /^Updating and loading repositories:$/,
  /^Repositories loaded\.$/,
];
const TYPES = new Set(['security', 'bugfix', 'enhancement', 'newpackage', 'unknown']);
const DNF4_SEC = /^(Critical|Important|Moderate|Low|Unknown)\/Sec\.$/;
const ISSUED_DATE = /^\d{4}-\d\d-\d\d$/;
const ISSUED_TIME = /^\d\d:\d\d:\d\d$/;
// name-[epoch:]version-release.arch; name may itself contain dashes, version and release may not.
const NEVRA = /^([A-Za-z0-9_+.-]+?)-(?:(\d+):)?([A-Za-z0-9_.+~^]+)-([A-Za-z0-9_.+~^]+)\.([A-Za-z0-9_]+)$/;
const ADVISORY_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{1,99}$/;

function severityOf(word: string | undefined, line: number): DnfSeverity {
  if (word === undefined || word === '' || /^(none|unknown)$/i.test(word)) return 'None';
  const w = word[0]!.toUpperCase() + word.slice(1).toLowerCase();
  if (w === 'Critical' || w === 'Important' || w === 'Moderate' || w === 'Low') return w;
  throw new Error(`line ${line}: unknown advisory severity ${JSON.stringify(word.slice(0, 40))} (expected Critical, Important, Moderate, Low or None)`);
}

function splitNevra(nevra: string, line: number): Pick<DnfAdvisoryEntry, 'name' | 'epoch' | 'version' | 'release' | 'arch'> {
  const m = NEVRA.exec(nevra);
  if (!m) throw new Error(`line ${line}: ${JSON.stringify(nevra.slice(0, 120))} is not a package NEVRA (name-[epoch:]version-release.arch)`);
  return { name: m[1]!, ...(m[2] !== undefined ? { epoch: Number(m[2]) } : {}), version: m[3]!, release: m[4]!, arch: m[5]! };
}

export function parseDnfUpdateinfoList(text: string): DnfSecurityList {
  const entries: DnfAdvisoryEntry[] = [];
  let format: 'dnf4' | 'dnf5' | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const n = i + 1;
    const raw = lines[i]!.replace(/\r$/, '');
    if (!raw.trim() || NOISE.some((re) => re.test(raw))) continue;
    if (/^Name\s+Type\s+Severity\s+Package\s+Issued\s*$/.test(raw)) {
      if (format === 'dnf4' || entries.length) throw new Error(`line ${n}: a dnf 5 table header after list entries`);
      format = 'dnf5';
      continue;
    }
    let installed: boolean | undefined;
    let body = raw;
    // dnf 4 --all marks each line "i " (installed) or "  " (not); plain lists start with the advisory id.
    if (format !== 'dnf5' && /^(i | {2})\S/.test(raw)) {
      installed = raw[0] === 'i';
      body = raw.slice(2);
    }
    const f = body.trim().split(/\s+/);
    let entry: DnfAdvisoryEntry;
    if (format === 'dnf5') {
      // Name Type [Severity] Package Issued-date Issued-time: the severity cell is empty for some advisories.
      if ((f.length !== 5 && f.length !== 6) || !ISSUED_DATE.test(f[f.length - 2]!) || !ISSUED_TIME.test(f[f.length - 1]!)) {
        throw new Error(`line ${n}: not a "dnf advisory list" row (Name Type Severity Package Issued): ${JSON.stringify(raw.slice(0, 120))}`);
      }
      const type = f[1]!.toLowerCase();
      if (!TYPES.has(type)) throw new Error(`line ${n}: unknown advisory type ${JSON.stringify(f[1]!.slice(0, 40))}`);
      const nevra = f[f.length - 3]!;
      entry = {
        advisory: f[0]!,
        type: type as DnfAdvisoryEntry['type'],
        severity: severityOf(f.length === 6 ? f[2] : undefined, n),
        nevra,
        ...splitNevra(nevra, n),
        issued: `${f[f.length - 2]} ${f[f.length - 1]}`,
      };
    } else {
      // <id> <label> <nevra> [<date> <time>]
      const verbose = f.length === 5 && ISSUED_DATE.test(f[3]!) && ISSUED_TIME.test(f[4]!);
      if (f.length !== 3 && !verbose) {
        throw new Error(`line ${n}: not a "dnf updateinfo list" entry (advisory label package): ${JSON.stringify(raw.slice(0, 120))}`);
      }
      const label = f[1]!;
      const sec = DNF4_SEC.exec(label);
      if (!sec && !TYPES.has(label)) throw new Error(`line ${n}: unknown advisory label ${JSON.stringify(label.slice(0, 40))} (expected e.g. Important/Sec. or bugfix)`);
      const nevra = f[2]!;
      entry = {
        advisory: f[0]!,
        type: sec ? 'security' : (label as DnfAdvisoryEntry['type']),
        severity: severityOf(sec?.[1], n),
        nevra,
        ...splitNevra(nevra, n),
        ...(installed !== undefined ? { installed } : {}),
        ...(verbose ? { issued: `${f[3]} ${f[4]}` } : {}),
      };
      format = 'dnf4';
    }
    if (!ADVISORY_ID.test(entry.advisory)) throw new Error(`line ${n}: ${JSON.stringify(entry.advisory.slice(0, 60))} is not an advisory id`);
    entries.push(entry);
  }
  const security = entries.filter((e) => e.type === 'security');
  const severityOfAdvisory = new Map<string, DnfSeverity>();
  for (const e of security) severityOfAdvisory.set(e.advisory, e.severity);
  const bySeverity: Record<DnfSeverity, number> = { Critical: 0, Important: 0, Moderate: 0, Low: 0, None: 0 };
  for (const s of severityOfAdvisory.values()) bySeverity[s]++;
  const pending = new Set(security.filter((e) => e.installed !== true).map((e) => `${e.name}.${e.arch}`));
  return { format: format ?? 'dnf4', entries, advisories: severityOfAdvisory.size, pendingSecurity: pending.size, bySeverity };
}
