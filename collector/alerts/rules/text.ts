// Small helpers shared by the rules. Everything an endpoint sends is hostile: values that go into titles and
// details are cut to a bounded length (encoders escape them later), and keys built from them are hashed so a
// key is always short and plain.
import { createHash } from 'node:crypto';

export function clip(value: string, max = 500): string {
  const chars = [...value];
  return chars.length > max ? chars.slice(0, max - 1).join('') + '…' : value;
}

/** A short, stable key for dedup from values an endpoint chose (paths, signature names). */
export function hashedKey(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);
}

export function keysOf(active: ReadonlyMap<string, ReadonlySet<string>>, kind: string): ReadonlySet<string> {
  return active.get(kind) ?? new Set();
}
