// How a control's machine results and attestations become the annual report's verdict. Pure.
//
// Rules (unknown never counts as pass):
// - machine-assessed control: applicable = pass + fail + unknown (a machine in scope without a result is
//   unknown). All applicable pass -> met fully; none pass -> not met; otherwise partly. If no machine is
//   applicable: not applicable when some machine reported not_applicable, else not met (no evidence).
//   Attestations are listed beside it but never outweigh a failing machine.
// - attestation-assessed control: met fully when an attestation is valid at the end of the period, else not met.
import type { Attestation, EvidenceControl, EvidenceScope, FindingStatus, Localized } from './source.js';

export type ControlVerdict = 'met_fully' | 'met_partly' | 'not_met' | 'not_applicable';

export const VERDICT_LABELS: Record<ControlVerdict, Localized> = {
  met_fully: { vi: 'Đáp ứng đầy đủ', en: 'Met fully' },
  met_partly: { vi: 'Đáp ứng một phần', en: 'Met partly' },
  not_met: { vi: 'Chưa đáp ứng', en: 'Not met' },
  not_applicable: { vi: 'Không áp dụng', en: 'Not applicable' },
};

export const STATUS_LABELS: Record<FindingStatus, Localized> = {
  pass: { vi: 'Đạt', en: 'Pass' },
  fail: { vi: 'Không đạt', en: 'Fail' },
  unknown: { vi: 'Chưa xác định', en: 'Unknown' },
  not_applicable: { vi: 'Không áp dụng', en: 'Not applicable' },
};

export interface ControlTally {
  pass: number;
  fail: number;
  unknown: number;
  not_applicable: number;
}

export const emptyTally = (): ControlTally => ({ pass: 0, fail: 0, unknown: 0, not_applicable: 0 });

/** Valid at the instant the export reports on (the period's end / the "as of" date). */
export function attestationValidAt(a: Attestation, at: Date): boolean {
  const t = at.getTime();
  return a.validFrom.getTime() <= t && (a.validTo === null || a.validTo.getTime() >= t);
}

export function controlVerdict(
  control: EvidenceControl,
  tally: ControlTally,
  attestations: readonly Attestation[],
  scope: EvidenceScope,
): ControlVerdict {
  if (control.assessedBy === 'attestation') {
    return attestations.some((a) => a.controlId === control.id && attestationValidAt(a, scope.to)) ? 'met_fully' : 'not_met';
  }
  const applicable = tally.pass + tally.fail + tally.unknown;
  if (applicable === 0) return tally.not_applicable > 0 ? 'not_applicable' : 'not_met';
  if (tally.pass === applicable) return 'met_fully';
  if (tally.pass === 0) return 'not_met';
  return 'met_partly';
}
