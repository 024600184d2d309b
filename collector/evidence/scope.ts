// Turns user input (CLI flags, later API query strings) into an EvidenceScope, refusing anything ambiguous.
import type { EvidenceScope } from './source.js';

export interface ScopeInput {
  level?: string | number;
  unit?: string;
  system?: string;
  from?: string;
  to?: string;
  asOf?: string;
}

export class ScopeError extends Error {}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
// Full timestamps must say their offset: an auditor's "as of" must not depend on the exporting machine's zone.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const DAY_MS = 86_400_000;

/**
 * A date alone means a whole UTC day: its start for `from`, its last millisecond for `to` and `as of`
 * (so `--to 2024-06-30` includes the 30th).
 */
export function parseInstant(text: string, edge: 'start' | 'end', flag: string): Date {
  const t = text.trim();
  if (DATE_ONLY.test(t)) {
    const start = Date.parse(`${t}T00:00:00Z`);
    if (Number.isNaN(start) || new Date(start).toISOString().slice(0, 10) !== t) {
      throw new ScopeError(`${flag}: "${text}" is not a calendar date (expected YYYY-MM-DD)`);
    }
    return new Date(edge === 'start' ? start : start + DAY_MS - 1);
  }
  if (DATE_TIME.test(t)) {
    const ms = Date.parse(t);
    if (!Number.isNaN(ms)) return new Date(ms);
  }
  throw new ScopeError(`${flag}: "${text}" is not a date (expected YYYY-MM-DD or an ISO 8601 time with Z or an offset)`);
}

function cleanName(value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (v === '') throw new ScopeError(`${flag} must not be empty`);
  if (v.length > 200 || /[\u0000-\u001f\u007f]/.test(v)) throw new ScopeError(`${flag}: invalid value`);
  return v;
}

export function parseEvidenceScope(input: ScopeInput, now: Date = new Date()): EvidenceScope {
  const levelText = String(input.level ?? '').trim();
  if (!/^[1-5]$/.test(levelText)) {
    throw new ScopeError(`--level must be a security level 1-5 (cấp độ 1-5), got "${input.level ?? ''}"`);
  }
  const scope: EvidenceScope = { level: Number(levelText), to: now };
  const unit = cleanName(input.unit, '--unit');
  const system = cleanName(input.system, '--system');
  if (unit !== undefined) scope.unit = unit;
  if (system !== undefined) scope.system = system;

  if (input.asOf !== undefined && (input.from !== undefined || input.to !== undefined)) {
    throw new ScopeError('give either --as-of D or --from D --to D, not both');
  }
  if (input.asOf !== undefined) {
    scope.to = parseInstant(input.asOf, 'end', '--as-of');
  } else if (input.from !== undefined || input.to !== undefined) {
    if (input.from === undefined || input.to === undefined) throw new ScopeError('--from and --to go together');
    scope.from = parseInstant(input.from, 'start', '--from');
    scope.to = parseInstant(input.to, 'end', '--to');
    if (scope.from.getTime() > scope.to.getTime()) throw new ScopeError('--from is after --to');
  }
  if (scope.to.getTime() > now.getTime()) {
    // A period ending in the future would report today's state as if it held later; clamp to now, visibly.
    scope.to = now;
  }
  if (scope.from && scope.from.getTime() > scope.to.getTime()) throw new ScopeError('--from is in the future');
  return scope;
}
