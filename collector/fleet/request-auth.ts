// Authenticates one signed agent request in two stages, so the costly part runs off the event loop:
// 1. verifySignedRequest (before the report joins a commit group): headers well formed, agent known and not
//    retired, Ed25519 signature over method + path + agent id + sequence + timestamp + body hash. The signature
//    check runs on a worker thread (signature-verifier.ts), so on a multi-core collector it does not hold up
//    other requests. Or, with a session header, an HMAC-SHA256 over the same text under a key agreed in an
//    Ed25519-signed session opening (verifySessionOpening, sessions.ts), checked on the event loop. Once it
//    verifies, the request counts against the agent's quota (agent-request-limits.ts).
// 2. checkSequence (inside the ingest transaction, where reports of one agent are serialised): the agent row as
//    committed now, timestamp inside the window, a sequence never seen before.
import {
  HEADER_AGENT,
  HEADER_SEQ,
  HEADER_SESSION,
  HEADER_SIGNATURE,
  HEADER_TIMESTAMP,
  requestSigningText,
  sessionMacMatches,
  sha256Hex,
} from '../../protocol/index.js';
import type { Store } from '../store/index.js';
import type { AgentRecord } from './types.js';
import { reject } from './errors.js';
import type { SignatureVerifier } from './signature-verifier.js';
import type { AgentSessions } from './sessions.js';
import type { AgentRequestLimits } from './agent-request-limits.js';

export interface SignedRequest {
  agentIdInPath: string;
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer;
  /** The body as text, when the caller has it already (it is decoded once for JSON parsing). */
  rawText?: string;
  /** Set for a posture report: the worker hashes the posture beside the signature check. */
  isPosture?: boolean;
  /** Where a session-authenticated request (x-soclite-session) finds its key; without it such requests are refused. */
  sessions?: AgentSessions;
  /** Per-agent quota, counted once the request is authenticated (agent-request-limits.ts). */
  limits?: AgentRequestLimits;
}

/** A request whose signature verified: who sent it, which sequence, when it says it was sent, its body hash. */
export interface VerifiedRequest {
  agentId: string;
  seq: number;
  timestamp: number;
  bodySha256: string;
  /** A posture report's posture hash, computed off the event loop (absent when it could not be). */
  postureHash?: string;
}

export interface AuthenticatedRequest {
  agent: AgentRecord;
  seq: number;
  clockSkewMs: number;
  bodySha256: string;
  /** See VerifiedRequest.postureHash. */
  postureHash?: string;
}

const header = (h: SignedRequest['headers'], name: string): string | undefined => {
  const v = h[name];
  return Array.isArray(v) ? undefined : v;
};

function liveAgentKey(store: Store, agentId: string): string {
  const key = store.agents.signingKey(agentId);
  if (!key) throw reject(401, 'unknown_agent', `agent ${agentId} is not enrolled`);
  if (key.retiredAt) throw reject(403, 'agent_retired', `agent ${agentId} was retired at ${key.retiredAt}`);
  return key.publicKey;
}

interface SignedHeaders {
  agentId: string;
  seq: number;
  timestamp: number;
  signature: string;
}

/** The signed-request headers, well formed and naming the agent in the path. */
function signedHeaders(req: SignedRequest): SignedHeaders {
  const agentId = header(req.headers, HEADER_AGENT);
  const seqText = header(req.headers, HEADER_SEQ);
  const tsText = header(req.headers, HEADER_TIMESTAMP);
  const signature = header(req.headers, HEADER_SIGNATURE);
  if (!agentId || !seqText || !tsText || !signature) {
    throw reject(401, 'unsigned', `signed request headers missing: ${HEADER_AGENT}, ${HEADER_SEQ}, ${HEADER_TIMESTAMP} and ${HEADER_SIGNATURE} are required`);
  }
  if (agentId !== req.agentIdInPath) throw reject(401, 'agent_mismatch', 'agent id in the header does not match the path');
  if (!/^[1-9][0-9]{0,15}$/.test(seqText)) throw reject(400, 'bad_seq', `${HEADER_SEQ} must be a positive integer`);
  if (!/^[0-9]{1,16}$/.test(tsText)) throw reject(400, 'bad_timestamp', `${HEADER_TIMESTAMP} must be milliseconds since the epoch`);
  return { agentId, seq: Number(seqText), timestamp: Number(tsText), signature };
}

/**
 * Stage 1. Rejects with a DomainError (401/403/400) when the request is not a well-signed one of a live agent.
 * A request with the session header is checked against that session's HMAC key on the event loop (an HMAC
 * costs microseconds, less than the round trip to the worker); any other against the agent's Ed25519 key on
 * the worker. Both sign the same text, and stage 2 treats both alike.
 * Answers synchronously (a value, or a throw) when no worker is needed, a session heartbeat: most requests.
 * Each promise costs the event loop, so none is made for them.
 */
export function verifySignedRequest(store: Store, verifier: SignatureVerifier, req: SignedRequest): VerifiedRequest | Promise<VerifiedRequest> {
  const h = signedHeaders(req);
  const sessionId = header(req.headers, HEADER_SESSION);
  if (sessionId !== undefined) return verifySessionRequest(verifier, req, h, sessionId);
  return verifyEd25519Request(store, verifier, req, h);
}

async function verifyEd25519Request(store: Store, verifier: SignatureVerifier, req: SignedRequest, h: SignedHeaders): Promise<VerifiedRequest> {
  const { agentId, seq, timestamp, signature } = h;
  const publicKey = store.agents.knownPublicKey(agentId) ?? liveAgentKey(store, agentId);

  const bodySha256 = sha256Hex(req.rawBody);
  const message = requestSigningText({ method: req.method, path: req.path, agentId, seq, timestamp, bodySha256 });
  const postureReport = req.isPosture ? (req.rawText ?? req.rawBody.toString('utf8')) : undefined;
  const checked = await verifier.check({ publicKeyB64: publicKey, message, signatureB64: signature, postureReport });
  if (!checked.valid) throw reject(401, 'bad_signature', 'request signature does not verify with the agent key');
  req.limits?.admitAgent(agentId);
  return checked.postureHash === undefined ? { agentId, seq, timestamp, bodySha256 } : { agentId, seq, timestamp, bodySha256, postureHash: checked.postureHash };
}

function verifySessionRequest(verifier: SignatureVerifier, req: SignedRequest, h: SignedHeaders, sessionId: string): VerifiedRequest | Promise<VerifiedRequest> {
  const { agentId, seq, timestamp, signature } = h;
  const found = req.sessions?.lookup(sessionId, agentId) ?? { err: 'unknown' as const };
  if ('err' in found) {
    // A session of another agent is not this agent's to use; unknown and expired ones tell the agent to re-open.
    if (found.err === 'other_agent') throw reject(401, 'session_agent_mismatch', `session ${sessionId} was not opened by agent ${agentId}`);
    throw reject(401, 'unknown_session', `session ${sessionId} is ${found.err === 'expired' ? 'expired' : 'unknown (the collector restarted or dropped it)'}; open a new session`);
  }
  const bodySha256 = sha256Hex(req.rawBody);
  const message = requestSigningText({ method: req.method, path: req.path, agentId, seq, timestamp, bodySha256 });
  if (!sessionMacMatches(found.ok.key, message, signature)) throw reject(401, 'bad_signature', 'request MAC does not verify with the session key');
  req.limits?.admitAgent(agentId);
  if (!req.isPosture) return { agentId, seq, timestamp, bodySha256 };
  // The posture hash is the other costly step of a posture report: still off the event loop, without a signature.
  return verifier.postureHash(req.rawText ?? req.rawBody.toString('utf8')).then((postureHash) =>
    postureHash === undefined ? { agentId, seq, timestamp, bodySha256 } : { agentId, seq, timestamp, bodySha256, postureHash },
  );
}

/**
 * Opening a session (POST /agents/:id/sessions): the request is Ed25519-signed like a report, but it stores
 * nothing and so does not consume the agent's sequence; in exchange its timestamp must be inside the clock
 * window here. The agent must be enrolled and not retired (read from the row, not the key cache: this is rare).
 */
export async function verifySessionOpening(store: Store, verifier: SignatureVerifier, req: SignedRequest, maxSkewMs: number, now = Date.now()): Promise<string> {
  const { agentId, seq, timestamp, signature } = signedHeaders(req);
  if (header(req.headers, HEADER_SESSION) !== undefined) throw reject(400, 'session_in_session', 'a session is opened with an Ed25519 signature, not inside another session');
  const publicKey = liveAgentKey(store, agentId);
  const skewMs = timestamp - now;
  if (Math.abs(skewMs) > maxSkewMs) {
    throw reject(401, 'clock_skew', `request timestamp is ${Math.round(skewMs / 1000)} s from the collector clock (window ±${maxSkewMs / 1000} s)`);
  }
  const message = requestSigningText({ method: req.method, path: req.path, agentId, seq, timestamp, bodySha256: sha256Hex(req.rawBody) });
  if (!(await verifier.verify(publicKey, message, signature))) throw reject(401, 'bad_signature', 'request signature does not verify with the agent key');
  // Retired while the signature was being checked: refuse still.
  liveAgentKey(store, agentId);
  req.limits?.admitAgent(agentId);
  return agentId;
}

/**
 * Stage 2, inside the ingest transaction. Checked after the signature so an attacker cannot probe an agent's
 * clock or sequence with unsigned junk; checked against the row as committed so two reports of one agent in
 * one group cannot both use a sequence.
 */
export function checkSequence(store: Store, v: VerifiedRequest, maxSkewMs: number, now = Date.now()): AuthenticatedRequest {
  const agent = store.agents.get(v.agentId);
  if (!agent) throw reject(401, 'unknown_agent', `agent ${v.agentId} is not enrolled`);
  if (agent.retiredAt) throw reject(403, 'agent_retired', `agent ${v.agentId} was retired at ${agent.retiredAt}`);
  const clockSkewMs = v.timestamp - now;
  if (Math.abs(clockSkewMs) > maxSkewMs) {
    throw reject(401, 'clock_skew', `request timestamp is ${Math.round(clockSkewMs / 1000)} s from the collector clock (window ±${maxSkewMs / 1000} s)`);
  }
  if (v.seq <= agent.lastSeq) {
    // A resend of the last accepted report (its acknowledgement was lost) is told apart from any other reuse,
    // so the agent can drop it as delivered; either way nothing is stored again.
    if (v.seq === agent.lastSeq && store.agents.lastBodySha256(agent.id) === v.bodySha256) {
      throw reject(409, 'already_accepted', `sequence ${v.seq} with this body was already accepted; nothing stored`, { lastSeq: agent.lastSeq });
    }
    throw reject(409, 'replayed_sequence', `sequence ${v.seq} was already used (last accepted ${agent.lastSeq})`, { lastSeq: agent.lastSeq });
  }
  return { agent, seq: v.seq, clockSkewMs, bodySha256: v.bodySha256, postureHash: v.postureHash };
}
