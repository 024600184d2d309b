// Compliance transitions: a control of at least the configured severity going from pass to fail raises; the
// control passing again (or no longer applying) clears. Unknown neither raises nor clears.
import type { FindingTransition } from '../../compliance/types.js';
import { SEVERITY_RANK, type Severity } from '../../forward/types.js';
import type { ActiveKeys, AlertDecision, Localized } from '../types.js';
import { clip, keysOf } from './text.js';

export interface ControlInfo {
  severity: Severity;
  title: Localized;
}

export function controlTransitionRule(
  t: FindingTransition,
  control: ControlInfo | undefined,
  minSeverity: Severity,
  active: ActiveKeys,
): AlertDecision[] {
  const isActive = keysOf(active, 'control_failed').has(t.controlId);
  if ((t.status === 'pass' || t.status === 'not_applicable') && isActive) {
    return [{ op: 'clear', kind: 'control_failed', key: t.controlId, reason: `control now ${t.status}`, at: t.at }];
  }
  if (t.status !== 'fail' || t.previousStatus !== 'pass' || isActive || !control) return [];
  if (SEVERITY_RANK[control.severity] < SEVERITY_RANK[minSeverity]) return [];
  return [
    {
      op: 'raise',
      kind: 'control_failed',
      key: t.controlId,
      severity: control.severity,
      title: { vi: clip(`Kiểm soát không còn đạt: ${control.title.vi}`), en: clip(`Control no longer passes: ${control.title.en}`) },
      details: {
        controlId: t.controlId,
        pack: t.pack,
        level: t.level,
        expected: clip(t.expected, 1000),
        ...(t.reason ? { reason: clip(t.reason, 1000) } : {}),
        observed: clip(JSON.stringify(t.observed), 2000),
      },
      at: t.at,
    },
  ];
}
