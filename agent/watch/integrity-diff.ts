// Pure: compares a baseline of file hashes with the current hashes and says what changed.
export type HashMap = Record<string, string | null>;

export interface IntegrityChange {
  path: string;
  change: 'created' | 'modified' | 'deleted';
  oldSha256?: string;
  newSha256?: string;
}

export function diffHashes(baseline: HashMap, current: HashMap): IntegrityChange[] {
  const out: IntegrityChange[] = [];
  for (const path of new Set([...Object.keys(baseline), ...Object.keys(current)])) {
    const before = baseline[path] ?? null;
    const after = path in current ? (current[path] ?? null) : before;
    if (before === after) continue;
    if (before === null) out.push({ path, change: 'created', newSha256: after! });
    else if (after === null) out.push({ path, change: 'deleted', oldSha256: before });
    else out.push({ path, change: 'modified', oldSha256: before, newSha256: after });
  }
  return out.sort((a, b) => a.path.localeCompare(b.path));
}
