// Authentication: users with scrypt passwords, login sessions (random id, stored hashed, with a CSRF token),
// API tokens for automation. Authorisation by role and unit scope is decided from the Principal.
import { randomBytes } from 'node:crypto';
import { sha256Hex } from '../../protocol/index.js';
import type { Store } from '../store/index.js';
import { reject } from '../fleet/errors.js';
import { hashPassword, randomPassword, verifyPassword } from './passwords.js';
import { ROLES, type Principal, type Role, type User } from './types.js';
import { unitsInScope } from './scope.js';

export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{1,63}$/;

export async function createUser(store: Store, u: { username: string; password: string; role: Role; unitIds: string[] }): Promise<User> {
  if (!USERNAME_PATTERN.test(u.username)) throw reject(400, 'bad_username', 'username must be 2-64 characters: a-z, 0-9, dot, dash, underscore');
  if (!ROLES.includes(u.role)) throw reject(400, 'bad_role', `role must be one of ${ROLES.join(', ')}`);
  validatePassword(u.password);
  if (u.unitIds.length === 0) throw reject(400, 'bad_units', 'a user needs at least one unit');
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
  const found = USERNAME_PATTERN.test(username) ? store.users.findByUsername(username) : undefined;
  // Verify a dummy hash for unknown users so response time does not reveal which usernames exist.
  const ok = found ? await verifyPassword(password, found.passwordHash) : (await verifyPassword(password, DUMMY_HASH), false);
  if (!found || !ok) throw reject(401, 'bad_credentials', 'wrong username or password');
  if (found.user.disabled) throw reject(403, 'user_disabled', 'this user is disabled');
  const sessionId = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  const expiresAt = new Date(Date.now() + sessionHours * 3600_000).toISOString();
  store.users.deleteExpiredSessions(new Date().toISOString());
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

export const API_TOKEN_PATTERN = /^sla_[A-Za-z0-9_-]{43}$/;

export interface CreateApiTokenOptions {
  userId: string;
  name: string;
  ttlDays?: number;
  /** Narrow the token to these units (each inside the owner's scope); omitted = the owner's scope. */
  unitIds?: string[];
}

export function createApiToken(store: Store, o: CreateApiTokenOptions): { id: string; token: string; expiresAt: string; unitIds: string[] | null } {
  const user = store.users.get(o.userId);
  if (!user) throw reject(404, 'unknown_user', 'user does not exist');
  if (user.disabled) throw reject(409, 'user_disabled', `user "${user.username}" is disabled`);
  const ttlDays = o.ttlDays ?? 90;
  if (!(Number.isInteger(ttlDays) && ttlDays >= 1 && ttlDays <= 366)) throw reject(400, 'bad_ttl', 'token lifetime must be 1-366 days');
  const name = o.name.trim();
  if (!name || name.length > 100) throw reject(400, 'bad_name', 'token name must be 1-100 characters');
  let unitIds: string[] | null = null;
  if (o.unitIds) {
    if (o.unitIds.length === 0) throw reject(400, 'bad_units', 'a scoped token needs at least one unit');
    const scope = unitsInScope(user, store.units.list());
    for (const u of o.unitIds) {
      if (!store.units.get(u)) throw reject(400, 'unknown_unit', `unit "${u}" does not exist`);
      if (!scope.includes(u)) throw reject(403, 'out_of_scope', `unit "${u}" is outside the scope of user "${user.username}"`);
    }
    unitIds = [...new Set(o.unitIds)];
  }
  const token = 'sla_' + randomBytes(32).toString('base64url');
  const id = 'apt_' + randomBytes(9).toString('base64url');
  const expiresAt = new Date(Date.now() + ttlDays * 86400_000).toISOString();
  store.users.insertApiToken({ id, tokenSha256: sha256Hex(token), userId: user.id, name, expiresAt, unitIds });
  return { id, token, expiresAt, unitIds };
}

export function principalFromApiToken(store: Store, token: string, now = Date.now()): Principal | null {
  if (!API_TOKEN_PATTERN.test(token)) return null;
  const t = store.users.findApiToken(sha256Hex(token));
  if (!t || t.revokedAt || Date.parse(t.expiresAt) <= now) return null;
  const user = store.users.get(t.userId);
  if (!user || user.disabled) return null;
  if (!t.unitIds) return { user, via: 'api_token', apiTokenId: t.id };
  // A scoped token acts as its owner over the token's units only, and never beyond the owner's current scope.
  const ownerScope = unitsInScope(user, store.units.list());
  const unitIds = t.unitIds.filter((u) => ownerScope.includes(u));
  return { user: { ...user, unitIds }, via: 'api_token', apiTokenId: t.id };
}

export function validatePassword(password: string): void {
  if (password.length < 12) throw reject(400, 'weak_password', 'password must be at least 12 characters');
  if (password.length > 1024) throw reject(400, 'bad_password', 'password must be at most 1024 characters');
}

/** Sets a new password and ends the user's sessions (whoever held them must log in again). */
export async function changePassword(store: Store, userId: string, password: string): Promise<User> {
  validatePassword(password);
  const user = store.users.get(userId);
  if (!user) throw reject(404, 'unknown_user', 'user does not exist');
  const hash = await hashPassword(password);
  store.transaction(() => {
    store.users.setPassword(userId, hash);
    store.users.deleteSessionsOf(userId);
  });
  return user;
}

export function setUserDisabled(store: Store, userId: string, disabled: boolean): User {
  const user = store.users.get(userId);
  if (!user) throw reject(404, 'unknown_user', 'user does not exist');
  store.transaction(() => {
    store.users.setDisabled(userId, disabled);
    if (disabled) store.users.deleteSessionsOf(userId);
  });
  return { ...user, disabled };
}

export function setRoleAndUnits(store: Store, userId: string, role: Role, unitIds: string[]): User {
  const user = store.users.get(userId);
  if (!user) throw reject(404, 'unknown_user', 'user does not exist');
  if (!ROLES.includes(role)) throw reject(400, 'bad_role', `role must be one of ${ROLES.join(', ')}`);
  if (unitIds.length === 0) throw reject(400, 'bad_units', 'a user needs at least one unit');
  for (const unit of unitIds) if (!store.units.get(unit)) throw reject(400, 'unknown_unit', `unit "${unit}" does not exist`);
  store.transaction(() => {
    store.users.setRoleAndUnits(userId, role, unitIds);
    // Sessions carry no role (it is read per request), but ending them makes a demotion take effect visibly.
    store.users.deleteSessionsOf(userId);
  });
  return { ...user, role, unitIds };
}
