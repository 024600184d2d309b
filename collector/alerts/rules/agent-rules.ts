// Rules about the agent itself: liveness (silent without a goodbye, offline, missing), lost data (sequence
// gaps), clock skew, and a cloned or re-imaged machine (a new key for hardware that is already enrolled).
import type { LivenessState } from '../../fleet/types.js';
import { LIVENESS_KINDS, type ActiveKeys, type AlertDecision } from '../types.js';
import { clip, keysOf } from './text.js';

const LIVENESS_ALERT: Partial<Record<LivenessState, { kind: (typeof LIVENESS_KINDS)[number]; severity: 'low' | 'high'; vi: string; en: string }>> = {
  late: { kind: 'heartbeat_lost', severity: 'low', vi: 'Mất nhịp tim của tác tử (không có thông báo dừng)', en: 'Agent heartbeat lost without a goodbye' },
  offline: { kind: 'agent_offline', severity: 'high', vi: 'Máy trạm ngừng báo cáo (ngoại tuyến)', en: 'Agent offline: no reports' },
  missing: { kind: 'agent_missing', severity: 'high', vi: 'Máy trạm mất liên lạc kéo dài', en: 'Agent missing: silent for a long time' },
};

/**
 * A liveness change. Going silent raises the alert of the new state (a later, worse state adds its own alert;
 * the earlier ones stay until the agent is back). Coming back online clears every liveness alert; a goodbye
 * (stopped) clears heartbeat_lost only: the agent said it was stopping, so silence is explained.
 */
export function livenessRule(change: { from: LivenessState; to: LivenessState; reason: string; at: string }, active: ActiveKeys): AlertDecision[] {
  const out: AlertDecision[] = [];
  if (change.to === 'online' || change.to === 'stopped' || change.to === 'retired') {
    const kinds = change.to === 'stopped' ? ['heartbeat_lost'] : LIVENESS_KINDS;
    for (const kind of kinds) {
      for (const key of keysOf(active, kind)) out.push({ op: 'clear', kind, key, reason: `agent ${change.to}: ${clip(change.reason, 200)}`, at: change.at });
    }
    return out;
  }
  const a = LIVENESS_ALERT[change.to];
  if (a && !keysOf(active, a.kind).has('')) {
    out.push({
      op: 'raise',
      kind: a.kind,
      key: '',
      severity: a.severity,
      title: { vi: a.vi, en: a.en },
      details: { from: change.from, to: change.to, reason: clip(change.reason, 500) },
      at: change.at,
    });
  }
  return out;
}

/** A stricter level timer: the agent of a high level is silent past its level's limit (fleet timers not yet hit). */
export function levelTimerRule(
  agent: { state: LivenessState; lastSeenAt: string | null; level: number },
  limitSec: number | undefined,
  now: number,
  active: ActiveKeys,
): AlertDecision[] {
  if (limitSec === undefined || !agent.lastSeenAt || !['online', 'late'].includes(agent.state)) return [];
  const silentSec = (now - Date.parse(agent.lastSeenAt)) / 1000;
  if (!(silentSec >= limitSec) || keysOf(active, 'agent_offline').has('')) return [];
  return [
    {
      op: 'raise',
      kind: 'agent_offline',
      key: '',
      severity: 'high',
      title: { vi: `Máy cấp độ ${agent.level} ngừng báo cáo`, en: `Level ${agent.level} agent offline: no reports` },
      details: { from: agent.state, to: 'offline', reason: `no report for ${Math.floor(silentSec)} s (level ${agent.level} limit ${limitSec} s)`, level: agent.level },
      at: new Date(now).toISOString(),
    },
  ];
}

/** Reports lost between agent and collector (the sequence skipped numbers). Each gap is an occurrence. */
export function sequenceGapRule(gap: number, minGap: number, lastSeq: number, at: string): AlertDecision[] {
  if (gap < minGap) return [];
  return [
    {
      op: 'raise',
      kind: 'sequence_gap',
      key: '',
      severity: 'medium',
      title: { vi: `Mất ${gap} bản tin giữa tác tử và máy chủ`, en: `${gap} reports lost between agent and collector` },
      details: { lost: gap, receivedSeq: lastSeq },
      at,
    },
  ];
}

/** Clock skew beyond the alert threshold raises; back within it clears. */
export function clockSkewRule(skewMs: number, thresholdSec: number, active: ActiveKeys, at: string): AlertDecision[] {
  const beyond = Math.abs(skewMs) > thresholdSec * 1000;
  const isActive = keysOf(active, 'clock_skew').has('');
  if (beyond && !isActive) {
    const sec = Math.round(skewMs / 1000);
    return [
      {
        op: 'raise',
        kind: 'clock_skew',
        key: '',
        severity: 'medium',
        title: { vi: `Đồng hồ của máy lệch ${sec} giây`, en: `Agent clock is off by ${sec} s` },
        details: { skewSeconds: sec, thresholdSeconds: thresholdSec },
        at,
      },
    ];
  }
  if (!beyond && isActive) return [{ op: 'clear', kind: 'clock_skew', key: '', reason: 'clock back within the threshold', at }];
  return [];
}

/** A newly enrolled agent whose hardware id is already held by another active agent: cloned or re-imaged. */
export function clonedAgentRule(
  agent: { id: string; hostname: string; hardwareId: string },
  others: readonly { id: string; hostname: string; enrolledAt: string }[],
  at: string,
): AlertDecision[] {
  // An empty or placeholder hardware id identifies nothing; matching on it would flag every such machine.
  if (!/[0-9A-Za-z]{4,}/.test(agent.hardwareId) || /^(unknown|none|null|default|to be filled.*)$/i.test(agent.hardwareId.trim())) return [];
  return others
    .filter((o) => o.id !== agent.id)
    .map((o) => ({
      op: 'raise' as const,
      kind: 'agent_cloned',
      key: o.id,
      severity: 'high' as const,
      title: {
        vi: clip(`Máy nhân bản hoặc cài lại: cùng phần cứng với ${o.hostname}`),
        en: clip(`Cloned or re-imaged machine: same hardware as ${o.hostname}`),
      },
      details: { otherAgentId: o.id, otherHostname: clip(o.hostname, 255), otherEnrolledAt: o.enrolledAt, hardwareId: clip(agent.hardwareId, 200) },
      at,
    }));
}
