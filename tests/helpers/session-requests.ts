// Builds session-authenticated agent requests by hand so tests can also send what a real agent never would:
// a wrong MAC, another agent's session, an unknown session id.
import { HEADER_SESSION, HEADER_SIGNATURE, requestSigningText, sessionMac, sha256Hex } from '../../protocol/index.js';
import type { AgentSession } from '../../agent/transport/client.js';
import { agentHeaders, rawResult, type RawResult } from './signed-requests.js';

export async function postWithSession(
  baseUrl: string,
  agentId: string,
  session: AgentSession,
  seq: number,
  body: string,
  opts: { timestamp?: number; macOverride?: string; sessionIdOverride?: string } = {},
): Promise<RawResult> {
  const path = `/api/v1/agents/${agentId}/reports`;
  const timestamp = opts.timestamp ?? Date.now();
  const mac = opts.macOverride ?? sessionMac(session.key, requestSigningText({ method: 'POST', path, agentId, seq, timestamp, bodySha256: sha256Hex(body) }));
  const res = await fetch(new URL(path, baseUrl), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...agentHeaders(agentId, seq, timestamp, { [HEADER_SESSION]: opts.sessionIdOverride ?? session.id, [HEADER_SIGNATURE]: mac }),
    },
    body,
  });
  return rawResult(res.status, await res.text());
}
