// Pure parser for /etc/os-release (freedesktop os-release(5)): shell-style KEY=value with optional quotes.
export interface OsRelease {
  id: string;
  name?: string;
  versionId?: string;
  version?: string;
  prettyName?: string;
  idLike: string[];
  versionCodename?: string;
}

export function parseOsRelease(text: string): OsRelease {
  const kv = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^([A-Z][A-Z0-9_]*)=(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S*))$/.exec(line);
    if (!m) continue;
    kv.set(m[1]!, (m[2] ?? m[3] ?? m[4] ?? '').replace(/\\(.)/g, '$1'));
  }
  const id = kv.get('ID');
  if (!id && !kv.get('NAME')) throw new Error('not an os-release file: no ID= or NAME= line');
  const out: OsRelease = { id: id ?? 'linux', idLike: (kv.get('ID_LIKE') ?? '').split(/\s+/).filter(Boolean) };
  for (const [k, f] of [
    ['NAME', 'name'],
    ['VERSION_ID', 'versionId'],
    ['VERSION', 'version'],
    ['PRETTY_NAME', 'prettyName'],
    ['VERSION_CODENAME', 'versionCodename'],
  ] as const) {
    if (kv.get(k)) out[f] = kv.get(k)!;
  }
  return out;
}
