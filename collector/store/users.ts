// Users, login sessions and API tokens. Session ids and API tokens are stored as SHA-256 only.
import type { Db } from './database.js';
import type { Role, User } from '../auth/types.js';

interface UserRow {
  id: string;
  username: string;
  password_hash: string;
  role: string;
  unit_ids: string;
  disabled: number;
}
const toUser = (r: UserRow): User => ({
  id: r.id,
  username: r.username,
  role: r.role as Role,
  unitIds: JSON.parse(r.unit_ids) as string[],
  disabled: r.disabled !== 0,
});

interface ApiTokenRow {
  id: string;
  user_id: string;
  name: string;
  created_at: string;
  expires_at: string;
  unit_ids: string | null;
  revoked_at: string | null;
}

/** An API token's metadata; the secret itself is never stored, only its SHA-256. */
export interface ApiTokenInfo {
  id: string;
  userId: string;
  name: string;
  createdAt: string;
  expiresAt: string;
  /** Narrower scope than the owner's, or null for the owner's whole scope. */
  unitIds: string[] | null;
  revokedAt: string | null;
}

const toApiToken = (r: ApiTokenRow): ApiTokenInfo => ({
  id: r.id,
  userId: r.user_id,
  name: r.name,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  unitIds: r.unit_ids ? (JSON.parse(r.unit_ids) as string[]) : null,
  revokedAt: r.revoked_at,
});

export class UserRepository {
  constructor(private readonly db: Db) {}

  count(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n;
  }

  insert(u: User, passwordHash: string): void {
    this.db
      .prepare('INSERT INTO users (id, username, password_hash, role, unit_ids, disabled, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(u.id, u.username, passwordHash, u.role, JSON.stringify(u.unitIds), u.disabled ? 1 : 0, new Date().toISOString());
  }

  findByUsername(username: string): { user: User; passwordHash: string } | undefined {
    const row = this.db.prepare('SELECT * FROM users WHERE username = ?').get(username) as UserRow | undefined;
    return row && { user: toUser(row), passwordHash: row.password_hash };
  }

  get(id: string): User | undefined {
    const row = this.db.prepare('SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined;
    return row && toUser(row);
  }

  setPassword(userId: string, passwordHash: string): boolean {
    return this.db.prepare('UPDATE users SET password_hash = ? WHERE id = ?').run(passwordHash, userId).changes === 1;
  }

  list(): User[] {
    return (this.db.prepare('SELECT * FROM users ORDER BY username').all() as UserRow[]).map(toUser);
  }

  setRoleAndUnits(userId: string, role: Role, unitIds: string[]): boolean {
    return this.db.prepare('UPDATE users SET role = ?, unit_ids = ? WHERE id = ?').run(role, JSON.stringify(unitIds), userId).changes === 1;
  }

  /** Ends every session of a user (password change, disabling, role change). */
  deleteSessionsOf(userId: string): number {
    return this.db.prepare('DELETE FROM sessions WHERE user_id = ?').run(userId).changes;
  }

  deleteExpiredSessions(nowIso: string): number {
    return this.db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(nowIso).changes;
  }

  setDisabled(userId: string, disabled: boolean): boolean {
    return this.db.prepare('UPDATE users SET disabled = ? WHERE id = ?').run(disabled ? 1 : 0, userId).changes === 1;
  }

  createSession(idSha256: string, userId: string, csrfToken: string, expiresAt: string): void {
    this.db
      .prepare('INSERT INTO sessions (id_sha256, user_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)')
      .run(idSha256, userId, csrfToken, new Date().toISOString(), expiresAt);
  }

  findSession(idSha256: string): { userId: string; csrfToken: string; expiresAt: string } | undefined {
    const r = this.db.prepare('SELECT user_id, csrf_token, expires_at FROM sessions WHERE id_sha256 = ?').get(idSha256) as
      | { user_id: string; csrf_token: string; expires_at: string }
      | undefined;
    return r && { userId: r.user_id, csrfToken: r.csrf_token, expiresAt: r.expires_at };
  }

  deleteSession(idSha256: string): void {
    this.db.prepare('DELETE FROM sessions WHERE id_sha256 = ?').run(idSha256);
  }

  insertApiToken(t: { id: string; tokenSha256: string; userId: string; name: string; expiresAt: string; unitIds?: string[] | null }): void {
    this.db
      .prepare('INSERT INTO api_tokens (id, token_sha256, user_id, name, created_at, expires_at, unit_ids) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(t.id, t.tokenSha256, t.userId, t.name, new Date().toISOString(), t.expiresAt, t.unitIds ? JSON.stringify(t.unitIds) : null);
  }

  findApiToken(tokenSha256: string): ApiTokenInfo | undefined {
    const r = this.db.prepare('SELECT * FROM api_tokens WHERE token_sha256 = ?').get(tokenSha256) as ApiTokenRow | undefined;
    return r && toApiToken(r);
  }

  getApiToken(id: string): ApiTokenInfo | undefined {
    const r = this.db.prepare('SELECT * FROM api_tokens WHERE id = ?').get(id) as ApiTokenRow | undefined;
    return r && toApiToken(r);
  }

  listApiTokens(userIds: string[]): ApiTokenInfo[] {
    if (userIds.length === 0) return [];
    const rows = this.db
      .prepare(`SELECT * FROM api_tokens WHERE user_id IN (${userIds.map(() => '?').join(',')}) ORDER BY created_at`)
      .all(...userIds) as ApiTokenRow[];
    return rows.map(toApiToken);
  }

  revokeApiToken(id: string, atIso: string): boolean {
    return this.db.prepare('UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(atIso, id).changes === 1;
  }
}
