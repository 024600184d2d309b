// Domain types of the fleet: what the collector knows about each enrolled agent. The store maps rows to
// these; nothing outside collector/store sees SQL.
import type { Posture } from '../../protocol/index.js';

export const LIVENESS_STATES = ['online', 'late', 'offline', 'missing', 'stopped', 'retired'] as const;
export type LivenessState = (typeof LIVENESS_STATES)[number];

export interface Unit {
  id: string;
  name: string;
  parentId: string | null;
  defaultLevel: number;
}

export interface EnrollmentToken {
  id: string;
  unitId: string;
  createdAt: string;
  expiresAt: string;
  maxUses: number;
  uses: number;
  revoked: boolean;
}

export interface AgentRecord {
  id: string;
  unitId: string;
  publicKey: string;
  hostname: string;
  hardwareId: string;
  platform: string;
  agentVersion: string;
  enrolledAt: string;
  lastSeq: number;
  lastSeenAt: string | null;
  lastReportKind: string | null;
  state: LivenessState;
  stateSince: string;
  stateReason: string;
  postureHash: string | null;
  postureAt: string | null;
  clockSkewMs: number;
  seqGaps: number;
  retiredAt: string | null;
  /** Alerts of this agent not resolved (kept by triggers on the alerts table). */
  activeAlerts: number;
  /** Of those, the liveness and clock-skew alerts, which an ordinary report may clear (alerts/types.ts). */
  clearableAlerts: number;
}

export interface AgentWithPosture extends AgentRecord {
  posture: Posture | null;
}
