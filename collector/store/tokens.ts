// Enrollment tokens, stored only as SHA-256 of the secret (tokens are 256-bit random, so a fast hash is safe;
// passwords, which are not, use scrypt elsewhere).
import type { Db } from './database.js';
import type { EnrollmentToken } from '../fleet/types.js';

interface TokenRow {
  id: string;
  unit_id: string;
  created_at: string;
  expires_at: string;
  max_uses: number;
  uses: number;
  revoked: number;
}
const toToken = (r: TokenRow): EnrollmentToken => ({
  id: r.id,
  unitId: r.unit_id,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  maxUses: r.max_uses,
  uses: r.uses,
  revoked: r.revoked !== 0,
});

export class TokenRepository {
  constructor(private readonly db: Db) {}

  insert(t: EnrollmentToken & { tokenSha256: string; createdBy: string }): void {
    this.db
      .prepare(
        `INSERT INTO enrollment_tokens (id, unit_id, token_sha256, created_at, expires_at, max_uses, uses, revoked, created_by)
         VALUES (?, ?, ?, ?, ?, ?, 0, 0, ?)`,
      )
      .run(t.id, t.unitId, t.tokenSha256, t.createdAt, t.expiresAt, t.maxUses, t.createdBy);
  }

  findByHash(tokenSha256: string): EnrollmentToken | undefined {
    const row = this.db.prepare('SELECT * FROM enrollment_tokens WHERE token_sha256 = ?').get(tokenSha256) as TokenRow | undefined;
    return row && toToken(row);
  }

  /** Counts one use; returns false when the token was used up concurrently (checked again inside the update). */
  consume(id: string): boolean {
    return this.db.prepare('UPDATE enrollment_tokens SET uses = uses + 1 WHERE id = ? AND uses < max_uses AND revoked = 0').run(id).changes === 1;
  }

  list(unitId?: string): EnrollmentToken[] {
    const rows = unitId
      ? this.db.prepare('SELECT * FROM enrollment_tokens WHERE unit_id = ? ORDER BY created_at').all(unitId)
      : this.db.prepare('SELECT * FROM enrollment_tokens ORDER BY created_at').all();
    return (rows as TokenRow[]).map(toToken);
  }
}
