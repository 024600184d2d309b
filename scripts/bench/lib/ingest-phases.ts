// The requests of the ingest benchmark, built (signed or MAC'd, with sequence numbers in sending order) before
// any clock starts: first postures and changed postures (session MAC, as agents send them), then unchanged
// postures and heartbeats each authenticated both ways, Ed25519 per request and a session MAC, so the two costs
// are measured on the same collector in one run.
import type { KeyObject } from 'node:crypto';
import { postureHash } from '../../../protocol/index.js';
import { buildPosture, evolve, machineProfile } from '../../simulate/profile.js';
import { Rng } from '../../simulate/rng.js';
import { macReport, signReport, type SignedBody, type SimSession } from '../../simulate/transport.js';

export type Auth = 'ed25519' | 'session';

export interface Phase {
  name: string;
  auth: Auth;
  rounds: SignedBody[][];
}

export interface PhaseIdentity {
  agentId: string | null;
  privateKey: KeyObject;
  /** Needed for the session phases (open the sessions first: Fleet.openSessions). */
  session: SimSession | null;
}

export function buildPhases(ids: PhaseIdentity[], seed: string, o: { unchangedRounds: number; heartbeatRounds: number }): Phase[] {
  const now = Date.now();
  const machines = ids.map((id, i) => ({ id, ...machineProfile(seed, i), rng: Rng.from('ingest', i), seq: 0, hash: '' }));
  const authenticate = (m: (typeof machines)[number], auth: Auth, seq: number, body: string): SignedBody => {
    if (auth === 'ed25519') return signReport(m.id.agentId!, m.id.privateKey, seq, body);
    if (!m.id.session) throw new Error(`agent ${m.id.agentId} has no session: open sessions before building the session phases`);
    return macReport(m.id.agentId!, m.id.session, seq, body);
  };
  const posture = (m: (typeof machines)[number], auth: Auth) => {
    const seq = ++m.seq;
    const p = buildPosture(m.profile, m.state, m.id.agentId!, seq, now, m.rng);
    m.hash = postureHash(p);
    return authenticate(m, auth, seq, JSON.stringify({ kind: 'posture', seq, postureHash: m.hash, posture: p }));
  };
  const heartbeat = (m: (typeof machines)[number], auth: Auth, r: number) => {
    const seq = ++m.seq;
    return authenticate(m, auth, seq, JSON.stringify({ kind: 'heartbeat', seq, postureHash: m.hash, uptimeSec: 3600 + r * 60 }));
  };
  // One round = one request per agent; an agent's next round is sent only after its previous one was answered.
  // Rounds are built in the order the phases run, so every agent's sequence numbers only go up.
  // An agent's first posture and a changed one are timed apart: the first stores every finding and its ledger
  // row (once in an agent's life), a change rewrites only what moved. Both under a session MAC, as agents send
  // them once they hold a session.
  const first = [machines.map((m) => posture(m, 'session'))];
  const changed = [
    machines.map((m) => {
      evolve(m.profile, m.state, m.rng, 1, now); // one real change (updates, AV, a service...): evaluated again
      return posture(m, 'session');
    }),
  ];
  const phases: Phase[] = [
    { name: 'posture, first (every finding new), session MAC', auth: 'session', rounds: first },
    { name: 'posture, changed (evaluated), session MAC', auth: 'session', rounds: changed },
  ];
  for (const auth of ['ed25519', 'session'] as const) {
    const suffix = auth === 'session' ? ', session MAC' : '';
    const unchanged: SignedBody[][] = [];
    for (let r = 0; r < o.unchangedRounds; r++) unchanged.push(machines.map((m) => posture(m, auth)));
    const heartbeats: SignedBody[][] = [];
    for (let r = 0; r < o.heartbeatRounds; r++) heartbeats.push(machines.map((m) => heartbeat(m, auth, r)));
    phases.push({ name: `posture, unchanged (hash only)${suffix}`, auth, rounds: unchanged }, { name: `heartbeat${suffix}`, auth, rounds: heartbeats });
  }
  return phases;
}

/** A phase's rounds in up to `n` turns of consecutive rounds, so every agent's sequence numbers stay in order. */
export function inTurns(rounds: Phase['rounds'], n: number): Phase['rounds'][] {
  const size = Math.ceil(rounds.length / Math.max(1, Math.min(n, rounds.length)));
  const out: Phase['rounds'][] = [];
  for (let i = 0; i < rounds.length; i += size) out.push(rounds.slice(i, i + size));
  return out;
}
