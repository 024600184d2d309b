// Helpers for JSON printed by PowerShell's ConvertTo-Json: strips the UTF-8 BOM, turns one object into a list
// (ConvertTo-Json prints a lone object, not a one-element array) and reads Windows PowerShell 5.1 dates
// ("\/Date(1574202819000)\/") as well as ISO 8601.
export function parsePsJson(text: string, what: string): unknown {
  const t = text.replace(/^\uFEFF/, '').trim();
  if (!t) throw new Error(`${what}: empty output`);
  try {
    return JSON.parse(t);
  } catch {
    throw new Error(`${what}: not JSON (expected ConvertTo-Json output)`);
  }
}

export function asList(v: unknown): Record<string, unknown>[] {
  if (v === null || v === undefined) return [];
  const arr = Array.isArray(v) ? v : [v];
  return arr.filter((x): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x));
}

export function psDate(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const ms = /^\/Date\((-?\d+)(?:[+-]\d{4})?\)\/$/.exec(v);
  if (ms) return new Date(Number(ms[1])).toISOString();
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

export const str = (v: unknown, max = 200) => (typeof v === 'string' ? v.slice(0, max) : undefined);
export const bool = (v: unknown) => (typeof v === 'boolean' ? v : undefined);
export const int = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) ? v : undefined);
