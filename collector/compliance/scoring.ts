// Pure compliance arithmetic over findings: counts per control, scores per agent and per security level, and
// the TT 12 Art. 14 verdict per control across machines (met fully / partly / not met). Unknown is counted as
// not passing everywhere: a machine that cannot show a control holds does not get credit for it.
import type { Finding, FindingStatus, Localized, Severity } from '../policy/types.js';

export type StatusCounts = { pass: number; fail: number; unknown: number; notApplicable: number };

export type Score = StatusCounts & {
  /** pass + fail + unknown: the controls that apply. */
  applicable: number;
  /** pass / applicable in [0, 1]; null when nothing applies. */
  score: number | null;
  /** Same, with each control weighted by severity (low 1, medium 2, high 3, critical 4). */
  weightedScore: number | null;
};

export type ControlCounts = StatusCounts & { controlId: string; pack: string; severity: Severity; coverage: Coverage };

export type Coverage = 'met' | 'partly' | 'not_met' | 'not_applicable';

export const COVERAGE_LABELS: Record<Coverage, Localized> = {
  met: { vi: 'Đáp ứng đầy đủ', en: 'Met fully' },
  partly: { vi: 'Đáp ứng một phần', en: 'Met partly' },
  not_met: { vi: 'Chưa đáp ứng', en: 'Not met' },
  not_applicable: { vi: 'Không áp dụng', en: 'Not applicable' },
};

export const SEVERITY_WEIGHT: Record<Severity, number> = { low: 1, medium: 2, high: 3, critical: 4 };

export type FindingsByAgent = Record<string, readonly Finding[]> | ReadonlyMap<string, readonly Finding[]>;

const emptyCounts = (): StatusCounts => ({ pass: 0, fail: 0, unknown: 0, notApplicable: 0 });

function bump(c: StatusCounts, s: FindingStatus): void {
  if (s === 'pass') c.pass++;
  else if (s === 'fail') c.fail++;
  else if (s === 'unknown') c.unknown++;
  else c.notApplicable++;
}

function entries(by: FindingsByAgent): [string, readonly Finding[]][] {
  return by instanceof Map ? [...by.entries()] : Object.entries(by as Record<string, readonly Finding[]>);
}

export function scoreFindings(findings: readonly Finding[]): Score {
  const c = emptyCounts();
  let weightAll = 0;
  let weightPass = 0;
  for (const f of findings) {
    bump(c, f.status);
    if (f.status === 'not_applicable') continue;
    const w = SEVERITY_WEIGHT[f.severity] ?? 1;
    weightAll += w;
    if (f.status === 'pass') weightPass += w;
  }
  const applicable = c.pass + c.fail + c.unknown;
  return {
    ...c,
    applicable,
    score: applicable === 0 ? null : c.pass / applicable,
    weightedScore: weightAll === 0 ? null : weightPass / weightAll,
  };
}

export function scoreByAgent(by: FindingsByAgent): Record<string, Score> {
  const out: Record<string, Score> = {};
  for (const [agent, findings] of entries(by)) out[agent] = scoreFindings(findings);
  return out;
}

/**
 * Per security level: the findings of every agent at that level pooled, plus how many agents there are and how
 * many hold every applicable control.
 */
export function scoreByLevel(
  agents: readonly { agentId: string; level: number; findings: readonly Finding[] }[],
): Record<number, Score & { agents: number; agentsCompliant: number }> {
  const pooled = new Map<number, Finding[]>();
  const counts = new Map<number, { agents: number; compliant: number }>();
  for (const a of agents) {
    const list = pooled.get(a.level) ?? [];
    for (const f of a.findings) list.push(f);
    pooled.set(a.level, list);
    const s = scoreFindings(a.findings);
    const k = counts.get(a.level) ?? { agents: 0, compliant: 0 };
    k.agents++;
    if (s.applicable > 0 && s.pass === s.applicable) k.compliant++;
    counts.set(a.level, k);
  }
  const out: Record<number, Score & { agents: number; agentsCompliant: number }> = {};
  for (const [level, findings] of [...pooled.entries()].sort((x, y) => x[0] - y[0])) {
    const k = counts.get(level) ?? { agents: 0, compliant: 0 };
    out[level] = { ...scoreFindings(findings), agents: k.agents, agentsCompliant: k.compliant };
  }
  return out;
}

/** Per control across machines: how many pass, fail, are unknown or do not apply, and the overall verdict. */
export function countsByControl(by: FindingsByAgent): ControlCounts[] {
  const map = new Map<string, ControlCounts>();
  for (const [, findings] of entries(by)) {
    for (const f of findings) {
      let c = map.get(f.controlId);
      if (!c) {
        c = { controlId: f.controlId, pack: f.pack, severity: f.severity, ...emptyCounts(), coverage: 'not_applicable' };
        map.set(f.controlId, c);
      }
      bump(c, f.status);
    }
  }
  for (const c of map.values()) c.coverage = controlCoverage(c);
  return [...map.values()].sort((a, b) => a.pack.localeCompare(b.pack) || a.controlId.localeCompare(b.controlId));
}

/**
 * Met fully: every machine it applies to passes. Partly: some pass, some fail or are unknown. Not met: none
 * passes (all unknown counts as not met: nothing shows the control holds).
 */
export function controlCoverage(c: StatusCounts): Coverage {
  const applicable = c.pass + c.fail + c.unknown;
  if (applicable === 0) return 'not_applicable';
  if (c.pass === applicable) return 'met';
  if (c.pass > 0) return 'partly';
  return 'not_met';
}
