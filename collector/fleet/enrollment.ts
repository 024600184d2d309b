// Enrollment: a token (per unit, hashed, expiring, counted) plus proof that the caller holds the private key
// of the public key it registers. The collector stores only the public key.
import { randomBytes } from 'node:crypto';
import { enrollProofMessage, sha256Hex, type EnrollRequest, type EnrollResponse, type AgentSettings } from '../../protocol/index.js';
import type { Store } from '../store/index.js';
import { reject } from './errors.js';
import { verifyEd25519 } from './keys.js';

export function enrollAgent(store: Store, req: EnrollRequest, settings: AgentSettings, now = new Date()): EnrollResponse {
  const token = store.tokens.findByHash(sha256Hex(req.token));
  if (!token) throw reject(401, 'bad_token', 'enrollment token is not valid');
  if (token.revoked) throw reject(401, 'token_revoked', 'enrollment token was revoked');
  if (Date.parse(token.expiresAt) <= now.getTime()) throw reject(401, 'token_expired', `enrollment token expired at ${token.expiresAt}`);
  if (token.uses >= token.maxUses) throw reject(401, 'token_exhausted', `enrollment token was already used ${token.uses} of ${token.maxUses} times`);
  if (!verifyEd25519(req.publicKey, enrollProofMessage(req.token, req.publicKey), req.proof)) {
    throw reject(401, 'bad_proof', 'proof signature does not match the public key');
  }
  const agentId = 'agt_' + randomBytes(12).toString('base64url');
  store.transaction(() => {
    if (!store.tokens.consume(token.id)) throw reject(401, 'token_exhausted', 'enrollment token was used up');
    try {
      store.agents.insert({
        id: agentId,
        unitId: token.unitId,
        publicKey: req.publicKey,
        hostname: req.hostname,
        hardwareId: req.hardwareId,
        platform: req.platform,
        agentVersion: req.agentVersion,
        enrolledAt: now.toISOString(),
        tokenId: token.id,
      });
    } catch (err) {
      if (String(err).includes('UNIQUE') && String(err).includes('public_key')) {
        throw reject(409, 'key_in_use', 'this public key is already enrolled');
      }
      throw err;
    }
  });
  return { agentId, unit: token.unitId, collectorTime: now.toISOString(), settings };
}
