// Keeps the reused `apt list --upgradable` answer (see linux.ts) on disk between scans. The agent runs each
// scan in a fresh child process, so a cache in memory would never be hit; the agent tells its scan children
// where to keep it (SOCLITE_AGENT_SCAN_CACHE_DIR, inside its 0700 state directory). Without that variable, as in
// a one-off `soclite agent scan`, nothing is written. A file that cannot be read or has the wrong shape is
// ignored and apt is asked again: a cache miss costs a second of CPU, a wrong answer would cost trust.
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface AptCacheEntry {
  signature: string;
  at: number;
  stdout: string;
}

const FILE = 'apt-upgradable.json';
/** apt's answer for a host with every package upgradable is a few MB at most. */
const MAX_BYTES = 32 * 1024 * 1024;

const cacheDir = () => process.env.SOCLITE_AGENT_SCAN_CACHE_DIR || undefined;

/** The entry in `text`, or undefined when it is not one (pure, for tests). */
export function parseAptCacheEntry(text: string): AptCacheEntry | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const e = v as Record<string, unknown>;
  if (typeof e.signature !== 'string' || typeof e.stdout !== 'string' || typeof e.at !== 'number' || !Number.isFinite(e.at)) return undefined;
  return { signature: e.signature, at: e.at, stdout: e.stdout };
}

export function loadAptCacheEntry(): AptCacheEntry | undefined {
  const dir = cacheDir();
  if (!dir) return undefined;
  try {
    const file = join(dir, FILE);
    if (statSync(file).size > MAX_BYTES) return undefined;
    return parseAptCacheEntry(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

export function saveAptCacheEntry(entry: AptCacheEntry): void {
  const dir = cacheDir();
  if (!dir) return;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = join(dir, FILE);
    // Written beside and renamed over, so a scan killed mid-write leaves the old entry or none, never half of one.
    writeFileSync(`${file}.${process.pid}.tmp`, JSON.stringify(entry), { mode: 0o600 });
    renameSync(`${file}.${process.pid}.tmp`, file);
  } catch {
    /* a cache that cannot be written only costs the next scan the apt run */
  }
}
