// Enrollment tokens: created per unit, shown once, stored hashed, with expiry and a use count.
import { randomBytes } from 'node:crypto';
import { sha256Hex } from '../../protocol/index.js';
import type { Store } from '../store/index.js';
import { reject } from './errors.js';

export interface CreateTokenOptions {
  unitId: string;
  ttlHours?: number;
  maxUses?: number;
  createdBy: string;
  now?: Date;
}

export interface CreatedToken {
  id: string;
  token: string;
  unitId: string;
  expiresAt: string;
  maxUses: number;
}

export function createEnrollmentToken(store: Store, o: CreateTokenOptions): CreatedToken {
  const unit = store.units.get(o.unitId);
  if (!unit) throw reject(404, 'unknown_unit', `unit "${o.unitId}" does not exist`);
  const ttlHours = o.ttlHours ?? 24 * 7;
  const maxUses = o.maxUses ?? 1000;
  if (!(ttlHours > 0 && ttlHours <= 24 * 366)) throw reject(400, 'bad_ttl', 'token lifetime must be between 1 hour and 366 days');
  if (!(Number.isInteger(maxUses) && maxUses >= 1)) throw reject(400, 'bad_max_uses', 'max uses must be a positive integer');
  const now = o.now ?? new Date();
  const id = 'tok_' + randomBytes(9).toString('base64url');
  const token = 'slt_' + randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + ttlHours * 3600_000).toISOString();
  store.tokens.insert({
    id,
    unitId: unit.id,
    tokenSha256: sha256Hex(token),
    createdAt: now.toISOString(),
    expiresAt,
    maxUses,
    uses: 0,
    revoked: false,
    createdBy: o.createdBy,
  });
  return { id, token, unitId: unit.id, expiresAt, maxUses };
}
