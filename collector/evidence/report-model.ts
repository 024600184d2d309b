// What the human-readable reports (HTML and PDF) show, gathered during the export's single pass. Bounded in size
// whatever the fleet: failing machines beyond the limit are counted, not kept (findings.csv has them all).
import type { ControlTally, ControlVerdict } from './control-status.js';
import type { Attestation, EvidenceControl, EvidenceMachine, EvidenceScope, Localized, ScopeMetadata } from './source.js';

export interface ControlRow {
  control: EvidenceControl;
  verdict: ControlVerdict;
  tally: ControlTally;
  attestations: Attestation[];
  validAttestations: number;
}

export interface FailingMachine {
  id: string;
  hostname: string;
  os: string;
  unitId: string;
  failing: string[];
  unknown: number;
}

export interface ReportModel {
  generator: { name: string; version: string };
  generatedAt: Date;
  bundleId: string;
  scope: EvidenceScope;
  metadata: ScopeMetadata;
  controls: ControlRow[];
  machines: { total: number; allPass: number; withFail: number; withUnknown: number };
  failingMachines: FailingMachine[];
  failingMachinesOmitted: number;
}

/** Keeps the `limit` machines with the most failing controls (ties: first seen). */
export class FailingMachineList {
  private items: FailingMachine[] = [];
  private omitted = 0;

  constructor(private readonly limit: number) {}

  add(machine: EvidenceMachine, failing: string[], unknown: number): void {
    this.items.push({ id: machine.id, hostname: machine.hostname, os: machine.os, unitId: machine.unitId, failing, unknown });
    if (this.items.length >= this.limit * 2) this.trim();
  }

  private trim(): void {
    this.items.sort((a, b) => b.failing.length - a.failing.length);
    if (this.items.length > this.limit) {
      this.omitted += this.items.length - this.limit;
      this.items.length = this.limit;
    }
  }

  result(): { kept: FailingMachine[]; omitted: number } {
    this.trim();
    return { kept: this.items, omitted: this.omitted };
  }
}

/** Report wording, both languages side by side: the reports are read by Vietnamese and foreign auditors. */
export const T = {
  title: { vi: 'Báo cáo bằng chứng tuân thủ', en: 'Compliance evidence report' },
  scope: { vi: 'Phạm vi', en: 'Scope' },
  organisation: { vi: 'Tổ chức', en: 'Organisation' },
  level: { vi: 'Cấp độ', en: 'Security level' },
  unit: { vi: 'Đơn vị', en: 'Unit' },
  system: { vi: 'Hệ thống thông tin', en: 'Information system' },
  allUnits: { vi: 'Tất cả', en: 'All' },
  period: { vi: 'Thời kỳ', en: 'Period' },
  asOf: { vi: 'Tại thời điểm', en: 'As of' },
  approvedLevel: { vi: 'Cấp độ được phê duyệt', en: 'Approved level' },
  decision: { vi: 'Quyết định phê duyệt', en: 'Approval decision' },
  notApproved: { vi: 'Chưa phê duyệt', en: 'Not approved' },
  summary: { vi: 'Tổng hợp', en: 'Summary' },
  machines: { vi: 'Số máy', en: 'Machines' },
  machinesAllPass: { vi: 'Máy đạt mọi yêu cầu', en: 'Machines passing every control' },
  machinesWithFail: { vi: 'Máy có yêu cầu không đạt', en: 'Machines failing a control' },
  machinesWithUnknown: { vi: 'Máy có yêu cầu chưa xác định', en: 'Machines with unknown results' },
  controls: { vi: 'Các yêu cầu', en: 'Controls' },
  control: { vi: 'Yêu cầu', en: 'Control' },
  verdict: { vi: 'Kết quả', en: 'Result' },
  pass: { vi: 'Đạt', en: 'Pass' },
  fail: { vi: 'Không đạt', en: 'Fail' },
  unknown: { vi: 'Chưa xác định', en: 'Unknown' },
  na: { vi: 'Không áp dụng', en: 'N/A' },
  attestations: { vi: 'Chứng thực', en: 'Attestations' },
  remediation: { vi: 'Khắc phục', en: 'Remediation' },
  failingMachines: { vi: 'Máy không đạt', en: 'Machines failing' },
  hostname: { vi: 'Tên máy', en: 'Hostname' },
  os: { vi: 'Hệ điều hành', en: 'OS' },
  failingControls: { vi: 'Yêu cầu không đạt', en: 'Failing controls' },
  more: { vi: 'máy khác, xem findings.csv', en: 'more machines, see findings.csv' },
  none: { vi: 'Không có', en: 'None' },
  generator: { vi: 'Công cụ tạo', en: 'Generator' },
  generatedAt: { vi: 'Thời gian tạo', en: 'Generated at' },
  bundle: { vi: 'Mã gói bằng chứng', en: 'Bundle id' },
  verifyNote: {
    vi: 'Tính toàn vẹn của gói được kiểm tra bằng SHA256SUMS và chữ ký SHA256SUMS.sig (xem README.txt).',
    en: 'The bundle integrity is checked with SHA256SUMS and its signature SHA256SUMS.sig (see README.txt).',
  },
} satisfies Record<string, Localized>;

export const both = (l: Localized): string => `${l.vi} / ${l.en}`;

export function isoMinute(d: Date): string {
  return d.toISOString().replace(/:\d{2}\.\d{3}Z$/, 'Z').replace('T', ' ');
}

export function periodText(scope: EvidenceScope): string {
  return scope.from
    ? `${isoMinute(scope.from)} → ${isoMinute(scope.to)} (UTC)`
    : `${both(T.asOf)}: ${isoMinute(scope.to)} (UTC)`;
}

/** Names of the units/systems the scope selects, for the report header. */
export function scopeLines(model: ReportModel): Array<[Localized, string]> {
  const { scope, metadata } = model;
  const unit = scope.unit ? metadata.units.find((u) => u.id === scope.unit) : undefined;
  const lines: Array<[Localized, string]> = [
    [T.organisation, metadata.organisation],
    [T.level, String(scope.level)],
    [T.unit, scope.unit ? (unit ? `${unit.name.vi} / ${unit.name.en} (${scope.unit})` : scope.unit) : both(T.allUnits)],
  ];
  const systems = metadata.systems.filter((s) => (scope.system ? s.id === scope.system : true));
  if (scope.system && systems.length === 0) lines.push([T.system, scope.system]);
  for (const s of systems) {
    lines.push([
      T.system,
      `${s.name} (${s.id}) — ${both(T.approvedLevel)}: ${s.approvedLevel}; ${both(T.decision)}: ${s.approvalDecision ?? both(T.notApproved)}`,
    ]);
  }
  lines.push([T.period, periodText(scope)]);
  return lines;
}
