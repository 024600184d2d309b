// One table decides, per alert kind, what SIEMs key on: the CEF Device Event Class ID (signature id), the CEF
// category path and the OCSF class. Signature ids are part of the external contract — SIEM correlation rules
// are written against them — so an id once published is never reused or renumbered; add new rows only.

export type OcsfShape =
  | { classUid: 2003 } // Compliance Finding
  | { classUid: 2004 } // Detection Finding
  | { classUid: 5019; securityStateId: number }; // Device Config State Change (security_state.state_id)

export interface KindInfo {
  signatureId: string;
  category: string;
  ocsf: OcsfShape;
}

// security_state.state_id values from OCSF 1.8.0 objects/security_state.json.
const STATE = { outdated: 1, policyMismatch: 2, protectionOff: 4, malfunction: 5, threat: 7, notInstalled: 11, openRemote: 19 } as const;

export const KNOWN_KINDS: Readonly<Record<string, KindInfo>> = {
  malware_detected: { signatureId: 'SOCLITE-1001', category: '/Malware/Detected', ocsf: { classUid: 2004 } },
  av_unprotected: { signatureId: 'SOCLITE-1101', category: '/Protection/Off', ocsf: { classUid: 5019, securityStateId: STATE.protectionOff } },
  av_degraded: { signatureId: 'SOCLITE-1102', category: '/Protection/Degraded', ocsf: { classUid: 5019, securityStateId: STATE.malfunction } },
  av_missing: { signatureId: 'SOCLITE-1103', category: '/Protection/Missing', ocsf: { classUid: 5019, securityStateId: STATE.notInstalled } },
  signatures_outdated: { signatureId: 'SOCLITE-1104', category: '/Protection/Outdated', ocsf: { classUid: 5019, securityStateId: STATE.outdated } },
  exposed_service: { signatureId: 'SOCLITE-1201', category: '/Network/ExposedService', ocsf: { classUid: 5019, securityStateId: STATE.openRemote } },
  file_changed: { signatureId: 'SOCLITE-1301', category: '/Integrity/FileChanged', ocsf: { classUid: 2004 } },
  control_failed: { signatureId: 'SOCLITE-1401', category: '/Compliance/ControlFailed', ocsf: { classUid: 2003 } },
  agent_offline: { signatureId: 'SOCLITE-1501', category: '/Agent/Offline', ocsf: { classUid: 2004 } },
  agent_missing: { signatureId: 'SOCLITE-1502', category: '/Agent/Missing', ocsf: { classUid: 2004 } },
  heartbeat_lost: { signatureId: 'SOCLITE-1503', category: '/Agent/HeartbeatLost', ocsf: { classUid: 2004 } },
  sequence_gap: { signatureId: 'SOCLITE-1504', category: '/Agent/SequenceGap', ocsf: { classUid: 2004 } },
  clock_skew: { signatureId: 'SOCLITE-1505', category: '/Agent/ClockSkew', ocsf: { classUid: 2004 } },
  agent_cloned: { signatureId: 'SOCLITE-1506', category: '/Agent/Cloned', ocsf: { classUid: 2004 } },
  outbox_gap: { signatureId: 'SOCLITE-1507', category: '/Agent/DataLost', ocsf: { classUid: 2004 } },
};

/**
 * Kinds not in the table still forward (rules are configuration and may grow faster than this file): their
 * signature id is the kind name itself, which is just as stable, and they travel as Detection Findings.
 */
export function kindInfo(kind: string): KindInfo {
  return KNOWN_KINDS[kind] ?? { signatureId: `SOCLITE-${kind}`, category: `/Other/${kind}`, ocsf: { classUid: 2004 } };
}
