// Authenticates one signed agent request: known, not retired, timestamp inside the window, signature over
// method + path + agent id + sequence + timestamp + body hash, and a sequence never seen before.
import {
  HEADER_AGENT,
  HEADER_SEQ,
  HEADER_SIGNATURE,
  HEADER_TIMESTAMP,
  requestSigningMessage,
  sha256Hex,
} from '../../protocol/index.js';
import type { Store } from '../store/index.js';
import type { AgentRecord } from './types.js';
import { reject } from './errors.js';
import { verifyEd25519 } from './keys.js';

export interface SignedRequest {
  agentIdInPath: string;
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  rawBody: Buffer;
}

export interface AuthenticatedRequest {
  agent: AgentRecord;
  seq: number;
  clockSkewMs: number;
  bodySha256: string;
}

const header = (h: SignedRequest['headers'], name: string): string | undefined => {
  const v = h[name];
  return Array.isArray(v) ? undefined : v;
};

export function authenticateAgentRequest(store: Store, req: SignedRequest, maxSkewMs: number, now = Date.now()): AuthenticatedRequest {
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
  const seq = Number(seqText);
  const timestamp = Number(tsText);

  const agent = store.agents.get(agentId);
  if (!agent) throw reject(401, 'unknown_agent', `agent ${agentId} is not enrolled`);
  if (agent.retiredAt) throw reject(403, 'agent_retired', `agent ${agentId} was retired at ${agent.retiredAt}`);

  const bodySha256 = sha256Hex(req.rawBody);
  const ok = verifyEd25519(
    agent.publicKey,
    requestSigningMessage({ method: req.method, path: req.path, agentId, seq, timestamp, bodySha256 }),
    signature,
  );
  if (!ok) throw reject(401, 'bad_signature', 'request signature does not verify with the agent key');

  // Checked after the signature so an attacker cannot probe an agent's clock or sequence with unsigned junk.
  const clockSkewMs = timestamp - now;
  if (Math.abs(clockSkewMs) > maxSkewMs) {
    throw reject(401, 'clock_skew', `request timestamp is ${Math.round(clockSkewMs / 1000)} s from the collector clock (window ±${maxSkewMs / 1000} s)`);
  }
  if (seq <= agent.lastSeq) {
    // A resend of the last accepted report (its acknowledgement was lost) is told apart from any other reuse,
    // so the agent can drop it as delivered; either way nothing is stored again.
    if (seq === agent.lastSeq && store.agents.lastBodySha256(agent.id) === bodySha256) {
      throw reject(409, 'already_accepted', `sequence ${seq} with this body was already accepted; nothing stored`, { lastSeq: agent.lastSeq });
    }
    throw reject(409, 'replayed_sequence', `sequence ${seq} was already used (last accepted ${agent.lastSeq})`, { lastSeq: agent.lastSeq });
  }
  return { agent, seq, clockSkewMs, bodySha256 };
}
