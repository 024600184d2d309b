// The evidence room reads everything through this interface, so it does not depend on how the collector stores
// findings (SQLite now, PostgreSQL later) and can be tested and benchmarked from memory. Large collections are
// async iterables: an exporter never needs the whole fleet's findings in memory at once.

export type Localized = { vi: string; en: string };

export type FindingStatus = 'pass' | 'fail' | 'unknown' | 'not_applicable';
export const FINDING_STATUSES: readonly FindingStatus[] = ['pass', 'fail', 'unknown', 'not_applicable'];

export type Severity = 'low' | 'medium' | 'high' | 'critical';

/**
 * What an export covers. `to` is the instant whose state is reported ("as of"); `from`, when present, opens the
 * period whose transitions go to history.csv. Without `from` (an "as of D" export) history holds every
 * recorded transition up to `to`.
 */
export interface EvidenceScope {
  level: number;
  unit?: string;
  system?: string;
  from?: Date;
  to: Date;
}

export interface UnitInfo {
  id: string;
  name: Localized;
}

export interface SystemInfo {
  id: string;
  name: string;
  unitId: string;
  /** The security level the system was approved at (cấp độ được phê duyệt). */
  approvedLevel: number;
  /** The approval decision, e.g. "Quyết định số 123/QĐ-UBND ngày 01/02/2024"; absent when not yet approved. */
  approvalDecision?: string;
}

export interface ScopeMetadata {
  organisation: string;
  units: UnitInfo[];
  systems: SystemInfo[];
  /** The policy pack the controls come from, e.g. "vn-nd85-tt12". */
  policyPack: string;
}

export interface EvidenceControl {
  id: string;
  title: Localized;
  remediation: Localized;
  severity: Severity;
  /** Clauses of the source documents, e.g. "TT12/2022 Phụ lục II, 1.3.2". */
  references: string[];
  /**
   * `machine`: evaluated on every machine in scope; a machine without a result counts as unknown.
   * `attestation`: an organisational control shown to hold by an attested document, not by machines.
   */
  assessedBy: 'machine' | 'attestation';
}

export interface EvidenceMachine {
  id: string;
  hostname: string;
  os: string;
  unitId: string;
  systemIds: string[];
  lastSeenAt: Date | null;
}

/** The state of one control on one machine at the scope's `to` instant. */
export interface EvidenceFinding {
  agentId: string;
  controlId: string;
  status: FindingStatus;
  observed: string | null;
  expected: string | null;
  /** When the control entered this status (from the findings ledger). */
  since: Date | null;
  lastEvaluatedAt: Date | null;
  /** Why the result is unknown or not applicable, when known. */
  reason?: string;
}

export interface HistoryTransition {
  agentId: string;
  controlId: string;
  at: Date;
  from: FindingStatus | null;
  to: FindingStatus;
  observed: string | null;
}

export interface Attestation {
  id: string;
  controlId: string;
  /** The unit and/or system it covers; neither means the whole organisation. */
  unitId?: string;
  systemId?: string;
  documentTitle: string;
  documentSha256: string;
  validFrom: Date;
  validTo: Date | null;
  attestedBy: string;
}

export interface EvidenceSource {
  metadata(scope: EvidenceScope): Promise<ScopeMetadata>;
  /** The controls that apply at `scope.level`, in the order they should be reported. */
  controls(scope: EvidenceScope): Promise<EvidenceControl[]>;
  /** How many machines `machines()` will yield (for progress reporting). */
  machineCount(scope: EvidenceScope): Promise<number>;
  /** Machines in scope (unit/system filters applied), ordered by id. */
  machines(scope: EvidenceScope): AsyncIterable<EvidenceMachine>;
  /**
   * Findings at `scope.to` for the machines in scope, grouped by machine in the same order as `machines()`.
   * The exporter merges the two streams and refuses an out-of-order or foreign finding.
   */
  findings(scope: EvidenceScope): AsyncIterable<EvidenceFinding>;
  /** Status transitions in the period (see EvidenceScope), ordered by time. */
  history(scope: EvidenceScope): AsyncIterable<HistoryTransition>;
  /** Attestations for the level's controls that concern the scope, whatever their validity. */
  attestations(scope: EvidenceScope): Promise<Attestation[]>;
}
