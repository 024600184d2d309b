// The small messages the live socket carries. A delta says what changed, never the full new state: the
// dashboard re-fetches the REST snapshot it shows, so correctness never depends on the socket. Strings that
// came from endpoints (hostnames) are passed through as data; the dashboard renders them as text only.
import type { IngestOutcome } from '../fleet/ingest.js';
import type { CollectorEvents } from '../service.js';

export type Delta =
  | { type: 'agent.enrolled'; agentId: string; hostname: string; at: string }
  | { type: 'agent.state'; agentId: string; hostname: string; from: string; to: string; reason: string; at: string }
  | { type: 'agent.posture'; agentId: string; hostname: string; at: string }
  | { type: 'agent.event'; agentId: string; hostname: string; eventType: string; eventId: string; at: string }
  | { type: 'alert'; alertId: string; action: string; severity: string; status: string; agentId: string; at: string }
  /** Something changed through the API (an alert acknowledged, a token created): views of it re-fetch. */
  | { type: 'changed'; resource: string; at: string };

/** A delta and the unit whose members may see it (null: every signed-in user). */
export interface ScopedDelta {
  unitId: string | null;
  delta: Delta;
}

export type AgentLookup = (agentId: string) => { unitId: string; hostname: string } | undefined;

export function deltasFromIngest(o: IngestOutcome, at: string): ScopedDelta[] {
  const base = { agentId: o.agent.id, hostname: o.agent.hostname };
  const out: ScopedDelta[] = [];
  if (o.postureChanged) out.push({ unitId: o.agent.unitId, delta: { type: 'agent.posture', ...base, at } });
  for (const e of o.newEvents ?? []) {
    out.push({ unitId: o.agent.unitId, delta: { type: 'agent.event', ...base, eventType: e.type, eventId: e.id, at } });
  }
  return out;
}

export function deltaFromStateChange(e: CollectorEvents['stateChanged'][0], lookup: AgentLookup, at: string): ScopedDelta | null {
  const a = lookup(e.agentId);
  if (!a) return null; // an agent that vanished has no unit to scope by: say nothing rather than tell everyone
  return { unitId: a.unitId, delta: { type: 'agent.state', agentId: e.agentId, hostname: a.hostname, from: e.from, to: e.to, reason: e.reason, at } };
}

export function deltaFromEnrollment(e: CollectorEvents['enrolled'][0], at: string): ScopedDelta {
  return { unitId: e.unitId, delta: { type: 'agent.enrolled', agentId: e.agentId, hostname: e.hostname, at } };
}

/**
 * Which API resource a successful state-changing request touched, or null when it is not one dashboards show
 * (logging in and out, agent protocol traffic). Only the first path segment is used: the delta tells other
 * pages "alerts changed", not which alert, so it reveals nothing outside a viewer's units.
 */
export function changedResource(method: string, url: string, statusCode: number): string | null {
  if (['GET', 'HEAD', 'OPTIONS'].includes(method) || statusCode >= 400) return null;
  const m = /^\/api\/v1\/([a-z][a-z0-9-]{0,40})(?:[/?]|$)/.exec(url);
  if (!m) return null;
  const resource = m[1]!;
  if (resource === 'session' || resource === 'enroll') return null;
  if (resource === 'agents' && /\/reports(?:\?|$)/.test(url)) return null;
  return resource;
}

/** The fields of the alerts room's change event that a dashboard needs (see collector/alerts/types.ts). */
export interface AlertChangeLike {
  action: string;
  alert: { id: string; agentId: string; unitId: string; severity: string; status: string };
}

export function deltaFromAlertChange(c: AlertChangeLike, at: string): ScopedDelta {
  const a = c.alert;
  return { unitId: a.unitId, delta: { type: 'alert', alertId: a.id, action: c.action, severity: a.severity, status: a.status, agentId: a.agentId, at } };
}
