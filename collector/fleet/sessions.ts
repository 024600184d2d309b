// Per-session MAC keys of agents, in memory only: a restart forgets them on purpose (agents re-open on
// unknown_session), so no key is ever written to disk. Bounded per agent (a replayed or buggy handshake loop
// cannot grow it) and in total; expired sessions are swept as new ones open.
import { randomBytes } from 'node:crypto';
import { deriveSessionKey, newX25519KeyPair, type SessionOpenResponse } from '../../protocol/index.js';
import { reject } from './errors.js';

export interface AgentSession {
  agentId: string;
  key: Buffer;
  expiresAtMs: number;
  /** The agent's X25519 key of this session: a replayed handshake (same key) is refused while it lives. */
  agentX25519: string;
}

export interface SessionLimits {
  lifetimeMs: number;
  maxPerAgent: number;
  maxTotal: number;
}

/** 24 h: long enough that a heartbeat a minute opens a session about once a day. */
export const SESSION_LIFETIME_MS = 24 * 3600_000;
export const DEFAULT_SESSION_LIMITS: SessionLimits = { lifetimeMs: SESSION_LIFETIME_MS, maxPerAgent: 4, maxTotal: 500_000 };

export type SessionLookup = { ok: AgentSession } | { err: 'unknown' | 'expired' | 'other_agent' };

export class AgentSessions {
  private readonly limits: SessionLimits;
  /** Insertion order is opening order, so the first entries are the oldest. */
  private readonly byId = new Map<string, AgentSession>();
  private readonly byAgent = new Map<string, string[]>();
  private nextSweepMs = 0;

  constructor(
    limits: Partial<SessionLimits> = {},
    private readonly now: () => number = Date.now,
  ) {
    this.limits = { ...DEFAULT_SESSION_LIMITS, ...limits };
  }

  get size(): number {
    return this.byId.size;
  }

  /** True when this agent has a live session agreed with this X25519 key (a replayed handshake). */
  hasAgentKey(agentId: string, agentX25519: string): boolean {
    return (this.byAgent.get(agentId) ?? []).some((id) => this.byId.get(id)?.agentX25519 === agentX25519);
  }

  /** A fresh session id (128 random bits, base64url), unused here. */
  newId(): string {
    return randomBytes(16).toString('base64url');
  }

  /** Stores a session; drops the agent's oldest beyond maxPerAgent and the oldest overall beyond maxTotal. */
  add(sessionId: string, agentId: string, key: Buffer, agentX25519: string): AgentSession {
    const now = this.now();
    if (now >= this.nextSweepMs) this.sweep(now);
    const session: AgentSession = { agentId, key, expiresAtMs: now + this.limits.lifetimeMs, agentX25519 };
    this.byId.set(sessionId, session);
    const ids = this.byAgent.get(agentId) ?? [];
    ids.push(sessionId);
    this.byAgent.set(agentId, ids);
    while (ids.length > this.limits.maxPerAgent) this.byId.delete(ids.shift()!);
    while (this.byId.size > this.limits.maxTotal) this.remove(this.byId.keys().next().value!);
    return session;
  }

  /** The session for a request claiming to come from agentId. */
  lookup(sessionId: string, agentId: string): SessionLookup {
    const s = this.byId.get(sessionId);
    if (!s) return { err: 'unknown' };
    if (s.expiresAtMs <= this.now()) {
      this.remove(sessionId);
      return { err: 'expired' };
    }
    if (s.agentId !== agentId) return { err: 'other_agent' };
    return { ok: s };
  }

  /** Forgets every session of an agent (it was retired). */
  dropAgent(agentId: string): void {
    for (const id of this.byAgent.get(agentId) ?? []) this.byId.delete(id);
    this.byAgent.delete(agentId);
  }

  private remove(sessionId: string): void {
    const s = this.byId.get(sessionId);
    if (!s) return;
    this.byId.delete(sessionId);
    const ids = this.byAgent.get(s.agentId)?.filter((id) => id !== sessionId);
    if (ids?.length) this.byAgent.set(s.agentId, ids);
    else this.byAgent.delete(s.agentId);
  }

  /** Removes expired sessions; at most once a minute, so opening sessions stays cheap. */
  private sweep(now: number): void {
    this.nextSweepMs = now + 60_000;
    for (const [id, s] of this.byId) if (s.expiresAtMs <= now) this.remove(id);
  }
}

/**
 * Agrees a session with an agent whose signed opening verified: a fresh collector X25519 key, the shared key
 * derived and kept here, only the collector's public half returned.
 */
export function openAgentSession(sessions: AgentSessions, agentId: string, agentX25519B64: string): SessionOpenResponse {
  // The same opening sent again (a replay inside the clock window) would only push the agent's real sessions out.
  if (sessions.hasAgentKey(agentId, agentX25519B64)) {
    throw reject(409, 'session_key_reused', 'this x25519PublicKey already has a session; make a new key pair for each session');
  }
  const own = newX25519KeyPair();
  const sessionId = sessions.newId();
  let key: Buffer;
  try {
    key = deriveSessionKey(own.privateKey, agentX25519B64, sessionId, agentId);
  } catch (err) {
    throw reject(400, 'bad_x25519_key', `x25519PublicKey is not a usable X25519 public key (${err instanceof Error ? err.message : String(err)})`);
  }
  const session = sessions.add(sessionId, agentId, key, agentX25519B64);
  return { sessionId, x25519PublicKey: own.publicKeyB64, expiresAt: new Date(session.expiresAtMs).toISOString() };
}
