// Builds the forwarder's record for one lifecycle step of an alert. The event id is `<alert id>.<step>`:
// written in the same transaction as the step, so a resend after a crash carries the same id and a SIEM can
// deduplicate; every step of one alert shares alertId.
import type { Posture } from '../../protocol/index.js';
import type { ForwardEvent } from '../forward/types.js';
import type { Alert } from './types.js';

export interface AgentFacts {
  id: string;
  unitId: string;
  hostname: string;
  platform: string;
  posture: Posture | null;
}

const MAX_VALUE = 4000;

function osText(a: AgentFacts): string {
  const os = a.posture?.host.os;
  const text = os ? [os.name, os.version, os.build].filter(Boolean).join(' ') : a.platform;
  return [...(text || a.platform || 'unknown')].slice(0, 128).join('');
}

export function toForwardEvent(alert: Alert, agent: AgentFacts, lifecycle: 'raised' | 'updated' | 'resolved'): ForwardEvent {
  const details: ForwardEvent['details'] = {};
  for (const [k, v] of Object.entries(alert.details).slice(0, 48)) {
    if (!/^[A-Za-z][A-Za-z0-9_]{0,31}$/.test(k)) continue;
    details[k] = typeof v === 'string' ? [...v].slice(0, MAX_VALUE).join('') : v;
  }
  details.status = alert.status;
  details.occurrences = alert.occurrences;
  details.firstSeenAt = alert.firstSeenAt;
  details.lastSeenAt = alert.lastSeenAt;
  if (alert.assignee) details.assignee = alert.assignee;
  if (alert.resolution) details.resolution = [...alert.resolution].slice(0, MAX_VALUE).join('');
  if (alert.suppressedUntil) details.suppressedUntil = alert.suppressedUntil;
  return {
    eventId: `${alert.id}.${alert.step}`,
    alertId: alert.id,
    kind: alert.kind,
    severity: alert.severity,
    title: alert.title,
    occurredAt: lifecycle === 'raised' ? alert.firstSeenAt : alert.updatedAt,
    lifecycle,
    agent: {
      id: agent.id,
      hostname: [...(agent.posture?.host.hostname || agent.hostname)].slice(0, 255).join(''),
      ips: (agent.posture?.host.ips ?? []).slice(0, 64).map((ip) => ip.slice(0, 64)),
      os: osText(agent),
    },
    unit: alert.unitId.slice(0, 128),
    level: Math.min(5, Math.max(1, alert.level)),
    details,
  };
}
