// Domain types of the compliance room: information systems with their approved level, stored findings.
import type { FindingStatus, Severity } from '../policy/types.js';

export interface InformationSystem {
  id: string;
  unitId: string;
  name: string;
  /** Approved security level (cấp độ) 1-5. */
  level: number;
  /** Approval decision number and date (quyết định phê duyệt cấp độ). */
  approvalRef: string | null;
  approvalDate: string | null;
}

export interface StoredFinding {
  agentId: string;
  controlId: string;
  pack: string;
  level: number;
  status: FindingStatus;
  severity: Severity;
  reason: string | null;
  observed: Record<string, unknown>;
  expected: string;
  /** When the control entered its current status on this machine. */
  since: string;
  evaluatedAt: string;
}

export interface FindingTransition {
  agentId: string;
  controlId: string;
  pack: string;
  level: number;
  status: FindingStatus;
  previousStatus: FindingStatus | null;
  reason: string | null;
  observed: Record<string, unknown>;
  expected: string;
  at: string;
}
