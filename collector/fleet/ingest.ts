// Report ingest, run by the service inside the report's savepoint of a group commit (see service.ts), so
// everything written here and by withinCommit commits or rolls back together, and is acknowledged only after
// the group commits. Unchanged posture costs a hash comparison; a changed one stores the latest copy plus one
// history row.
import { postureHash, type Report, type ReportAck, type AgentSettings, type Posture, type AgentEvent, type PostureReport } from '../../protocol/index.js';
import type { Store } from '../store/index.js';
import type { AgentRecord, LivenessState } from './types.js';
import { reject } from './errors.js';
import type { DeferredPosture } from './report-text.js';

/** A report as parsed by fastify, or a posture report read on the worker (report-text.ts). */
export type IngestReport = Report | DeferredPosture;

/** The whole posture report: one read on the worker is parsed here, only when its posture is needed. */
function whole(r: PostureReport | DeferredPosture): PostureReport {
  return 'full' in r ? r.full() : r;
}

export interface IngestOutcome {
  ack: ReportAck;
  agent: AgentRecord;
  kind: Report['kind'];
  /** Set when the posture hash changed: downstream rooms (policy, alerts, live) react to it. */
  postureChanged?: { posture: Posture; previousHash: string | null; hash: string };
  newEvents?: AgentEvent[];
  stateChange?: { from: LivenessState; to: LivenessState; reason: string };
  gap: number;
  /** Agent clock minus collector clock for this report, in ms. */
  clockSkewMs: number;
}

/**
 * A heartbeat or an unchanged posture: no new posture, no new events. Nearly every report; what reacts to
 * reports (alert rules, live dashboards) has little or nothing to do for it.
 */
export function changedNothing(o: Pick<IngestOutcome, 'postureChanged' | 'newEvents'>): boolean {
  return !o.postureChanged && !o.newEvents?.length;
}

export function ingestReport(
  store: Store,
  auth: { agent: AgentRecord; seq: number; clockSkewMs: number; bodySha256: string; postureHash?: string },
  report: IngestReport,
  settings: AgentSettings,
  now = new Date(),
  /** Runs inside the caller's transaction: what it writes commits (or rolls back) together with the report. */
  withinCommit?: (outcome: IngestOutcome) => void,
  /** Set to true just before the first write: a refusal before it left nothing to roll back (see service.ts). */
  progress?: { wrote: boolean },
): IngestOutcome {
  const { agent, seq } = auth;
  if (report.seq !== seq) throw reject(400, 'seq_mismatch', `body seq ${report.seq} does not match the signed header seq ${seq}`);
  const receivedAt = now.toISOString();
  const gap = agent.lastSeq > 0 && seq > agent.lastSeq + 1 ? seq - agent.lastSeq - 1 : 0;
  const outcome: IngestOutcome = { ack: { accepted: true, seq, needPosture: false }, agent, kind: report.kind, gap, clockSkewMs: auth.clockSkewMs };

  let hashForPosture: string | undefined;
  if (report.kind === 'posture') {
    const postureAgentId = 'full' in report ? report.postureAgentId : report.posture.agent.id;
    if (postureAgentId !== agent.id) throw reject(400, 'agent_mismatch', 'posture.agent.id does not match the signing agent');
    // Usually computed on the signature worker from the same bytes (request-auth.ts); here when it was not.
    hashForPosture = auth.postureHash ?? postureHash(whole(report).posture);
    if (hashForPosture !== report.postureHash) {
      throw reject(400, 'posture_hash_mismatch', 'postureHash does not match the posture content');
    }
  }

  if (progress) progress.wrote = true;
  if (!store.agents.accept({ agentId: agent.id, seq, kind: report.kind, receivedAt, clockSkewMs: auth.clockSkewMs, gap, bodySha256: auth.bodySha256 })) {
    throw reject(409, 'replayed_sequence', `sequence ${seq} was already used`);
  }
  switch (report.kind) {
    case 'posture': {
      const hash = hashForPosture!;
      const changed = hash !== agent.postureHash;
      if (changed) {
        // Stored and evaluated: hashed too if its claimed hash was taken as is, because it was the stored hash
        // then (fleet/report-text.ts).
        const { posture } = whole(report);
        if ('full' in report && !report.hashChecked && postureHash(posture) !== report.postureHash) {
          throw reject(400, 'posture_hash_mismatch', 'postureHash does not match the posture content');
        }
        store.agents.savePosture(agent.id, seq, hash, JSON.stringify(posture), receivedAt, true);
        outcome.postureChanged = { posture, previousHash: agent.postureHash, hash };
      } else store.agents.touchPosture(agent.id, receivedAt);
      break;
    }
    case 'heartbeat':
      outcome.ack.needPosture = report.postureHash === null || report.postureHash !== agent.postureHash;
      break;
    case 'events': {
      const fresh: AgentEvent[] = [];
      for (const e of report.events) if (store.agents.saveEvents(agent.id, seq, [e], receivedAt) === 1) fresh.push(e);
      outcome.newEvents = fresh;
      break;
    }
    case 'goodbye':
      store.agents.setState(agent.id, 'stopped', `goodbye: ${report.reason}`, receivedAt);
      outcome.stateChange = { from: agent.state, to: 'stopped', reason: `goodbye: ${report.reason}` };
      break;
  }
  if (report.kind !== 'goodbye' && agent.state !== 'online') {
    store.agents.setState(agent.id, 'online', 'report received', receivedAt);
    outcome.stateChange = { from: agent.state, to: 'online', reason: 'report received' };
  }
  withinCommit?.(outcome);
  if (report.kind === 'heartbeat' || report.kind === 'posture') outcome.ack.settings = settings;
  return outcome;
}
