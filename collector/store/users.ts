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

  insertApiToken(t: { id: string; tokenSha256: string; userId: string; name: string; expiresAt: string }): void {
    this.db
      .prepare('INSERT INTO api_tokens (id, token_sha256, user_id, name, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(t.id, t.tokenSha256, t.userId, t.name, new Date().toISOString(), t.expiresAt);
  }

  findApiToken(tokenSha256: string): { userId: string; expiresAt: string } | undefined {
    const r = this.db.prepare('SELECT user_id, expires_at FROM api_tokens WHERE token_sha256 = ?').get(tokenSha256) as
      | { user_id: string; expires_at: string }
      | undefined;
    return r && { userId: r.user_id, expiresAt: r.expires_at };
  }
}
