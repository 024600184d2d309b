// Enrolls an agent directly through the fleet service (no HTTP), as the collector would: a one-use unit token,
// a fresh Ed25519 key pair and its proof.
import { createEnrollmentToken } from '../../collector/fleet/tokens.js';
import { enrollAgent } from '../../collector/fleet/enrollment.js';
import type { RunningCollector } from '../../collector/server.js';
import { enrollProofMessage } from '../../protocol/index.js';
import { newKeyPair, signWith } from '../../agent/transport/identity.js';

export interface EnrolledTestAgent {
  id: string;
  unitId: string;
  privateKey: ReturnType<typeof newKeyPair>['privateKey'];
}

export function enrollDirect(c: Pick<RunningCollector, 'store' | 'service'>, hostname: string, unitId = 'default'): EnrolledTestAgent {
  const t = createEnrollmentToken(c.store, { unitId, maxUses: 1, createdBy: 'test' });
  const keys = newKeyPair();
  const proof = signWith(keys.privateKey, enrollProofMessage(t.token, keys.publicKeyB64));
  const res = enrollAgent(c.store, { token: t.token, publicKey: keys.publicKeyB64, proof, agentVersion: 't', hostname, hardwareId: 'hw-' + hostname, platform: 'linux' }, c.service.agentSettings);
  return { id: res.agentId, unitId, privateKey: keys.privateKey };
}
