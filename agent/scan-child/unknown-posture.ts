// The posture the agent sends when a scan produced nothing usable (the scan child timed out, crashed or printed
// garbage): every evaluated section is absent, so the collector treats AV, patches, exposure and hardening as
// unknown, and agent.probeErrors says why. Nothing is carried over from an earlier scan except the machine's
// identity (name, OS, hardware id, addresses), which that scan observed, so the fleet does not show a known
// machine as "unknown" because one scan failed; without an earlier scan the identity is empty as well.
import type { Posture } from '../../protocol/posture.js';

/** probeErrors[].error is limited to 1000 characters by the protocol. */
const MAX_REASON = 1000;

export interface UnknownScan {
  agentId: string;
  version: string;
  seq: number;
  collectedAt: Date;
  reason: string;
  /** host section of the last scan that succeeded in this run, if any */
  lastHost?: Posture['host'];
  lastHostAt?: string;
  cost: { scanMs: number; rssBytes: number; cpuPercent: number };
}

export function unknownPosture(u: UnknownScan): Posture {
  const identity = u.lastHost
    ? {
        hostname: u.lastHost.hostname,
        os: u.lastHost.os,
        hardwareId: u.lastHost.hardwareId,
        ips: u.lastHost.ips,
        macs: u.lastHost.macs,
      }
    : { hostname: 'unknown', os: { platform: 'other' as const, family: '', name: '', version: '', build: '', kernel: '' }, hardwareId: '', ips: [], macs: [] };
  const errors = [{ probe: 'scan', error: u.reason.slice(0, MAX_REASON) }];
  if (u.lastHost) errors.push({ probe: 'host', error: `identity from the scan at ${u.lastHostAt ?? 'an earlier time'}; load and role unknown` });
  return {
    agent: {
      id: u.agentId,
      version: u.version,
      seq: u.seq,
      collectedAt: u.collectedAt.toISOString(),
      scanMs: Math.round(u.cost.scanMs),
      rssBytes: Math.round(u.cost.rssBytes),
      cpuPercent: u.cost.cpuPercent,
      probeErrors: errors,
    },
    host: identity,
  };
}
