// Authentication: users with scrypt passwords, login sessions (random id, stored hashed, with a CSRF token),
// API tokens for automation. Authorisation by role and unit scope is decided from the Principal.
import { randomBytes } from 'node:crypto';
import { sha256Hex } from '../../protocol/index.js';
import type { Store } from '../store/index.js';
import { reject } from '../fleet/errors.js';
import { hashPassword, randomPassword, verifyPassword } from './passwords.js';
import { ROLES, type Principal, type Role, type User } from './types.js';

export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{1,63}$/;

export async function createUser(store: Store, u: { username: string; password: string; role: Role; unitIds: string[] }): Promise<User> {
  if (!USERNAME_PATTERN.test(u.username)) throw reject(400, 'bad_username', 'username must be 2-64 characters: a-z, 0-9, dot, dash, underscore');
  if (!ROLES.includes(u.role)) throw reject(400, 'bad_role', `role must be one of ${ROLES.join(', ')}`);
  if (u.password.length < 12) throw reject(400, 'weak_password', 'password must be at least 12 characters');
  for (const unit of u.unitIds) if (!store.units.get(unit)) throw reject(400, 'unknown_unit', `unit "${unit}" does not exist`);
  if (store.users.findByUsername(u.username)) throw reject(409, 'user_exists', `user "${u.username}" already exists`);
  const user: User = { id: 'usr_' + randomBytes(9).toString('base64url'), username: u.username, role: u.role, unitIds: u.unitIds, disabled: false };
  store.users.insert(user, await hashPassword(u.password));
  return user;
}

/** First run: creates user "admin" over every unit and returns its one-time password; later runs return null. */
export async function ensureAdmin(store: Store): Promise<string | null> {
  if (store.users.count() > 0) return null;
  const password = randomPassword();
  await createUser(store, { username: 'admin', password, role: 'admin', unitIds: ['default'] });
  return password;
}

export interface Session {
  sessionId: string;
  csrfToken: string;
  user: User;
  expiresAt: string;
}

export async function login(store: Store, username: string, password: string, sessionHours: number): Promise<Session> {
  const found = store.users.findByUsername(username);
  // Verify a dummy hash for unknown users so response time does not reveal which usernames exist.
  const ok = found ? await verifyPassword(password, found.passwordHash) : (await verifyPassword(password, DUMMY_HASH), false);
  if (!found || !ok) throw reject(401, 'bad_credentials', 'wrong username or password');
  if (found.user.disabled) throw reject(403, 'user_disabled', 'this user is disabled');
  const sessionId = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  const expiresAt = new Date(Date.now() + sessionHours * 3600_000).toISOString();
  store.users.createSession(sha256Hex(sessionId), found.user.id, csrfToken, expiresAt);
  return { sessionId, csrfToken, user: found.user, expiresAt };
}

const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$' + Buffer.alloc(64).toString('base64');

export function logout(store: Store, sessionId: string): void {
  store.users.deleteSession(sha256Hex(sessionId));
}

export function principalFromSession(store: Store, sessionId: string, now = Date.now()): (Principal & { csrfToken: string }) | null {
  const s = store.users.findSession(sha256Hex(sessionId));
  if (!s || Date.parse(s.expiresAt) <= now) return null;
  const user = store.users.get(s.userId);
  if (!user || user.disabled) return null;
  return { user, via: 'session', sessionId, csrfToken: s.csrfToken };
}

export function createApiToken(store: Store, userId: string, name: string, ttlDays = 90): { token: string; expiresAt: string } {
  if (!store.users.get(userId)) throw reject(404, 'unknown_user', 'user does not exist');
  const token = 'sla_' + randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + ttlDays * 86400_000).toISOString();
  store.users.insertApiToken({ id: 'apt_' + randomBytes(9).toString('base64url'), tokenSha256: sha256Hex(token), userId, name, expiresAt });
  return { token, expiresAt };
}

export function principalFromApiToken(store: Store, token: string, now = Date.now()): Principal | null {
  const t = store.users.findApiToken(sha256Hex(token));
  if (!t || Date.parse(t.expiresAt) <= now) return null;
  const user = store.users.get(t.userId);
  if (!user || user.disabled) return null;
  return { user, via: 'api_token' };
}
