// Who is logged in. The session id itself lives in an HttpOnly cookie the page cannot read; the page keeps
// only what the login answered (user, role, units, CSRF token) in sessionStorage, for this tab. A new tab has
// an empty sessionStorage but the same cookie: it asks GET /api/v1/session who it is before showing a login.
import { createStore } from './store.js';

export interface SessionInfo {
  username: string;
  role: string;
  unitIds: string[];
  csrfToken: string;
  /** Given by the login answer; GET /session does not say it (the cookie's own expiry applies). */
  expiresAt?: string;
}

const KEY = 'soclite.session';

function load(): SessionInfo | null {
  try {
    const s = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as SessionInfo | null;
    return s && typeof s.csrfToken === 'string' && (!s.expiresAt || Date.parse(s.expiresAt) > Date.now()) ? s : null;
  } catch {
    return null;
  }
}

export const sessionStore = createStore<SessionInfo | null>(load());
export const sessionEndedStore = createStore(false);
/** True while a tab without a stored session asks the collector whether its cookie is still a session. */
export const sessionCheckingStore = createStore(sessionStore.get() === null);

/**
 * Adopts the session of the cookie, if there is one: a browser session (not an API token) that answers with
 * its CSRF token. Anything else (401, network error, malformed answer) leaves the login page in place.
 */
export async function resumeSession(): Promise<void> {
  if (sessionStore.get()) return sessionCheckingStore.set(false);
  try {
    const res = await fetch('/api/v1/session', { headers: { accept: 'application/json' }, credentials: 'same-origin' });
    if (res.ok) {
      const b = (await res.json()) as Partial<SessionInfo> & { via?: string };
      if (b.via === 'session' && typeof b.csrfToken === 'string' && typeof b.username === 'string' && typeof b.role === 'string' && Array.isArray(b.unitIds)) {
        setSession({ username: b.username, role: b.role, unitIds: b.unitIds.map(String), csrfToken: b.csrfToken });
      }
    }
  } catch {
    // offline or the collector is restarting: the login page is the honest answer
  } finally {
    sessionCheckingStore.set(false);
  }
}

export function setSession(s: SessionInfo | null, ended = false): void {
  if (s) sessionStorage.setItem(KEY, JSON.stringify(s));
  else sessionStorage.removeItem(KEY);
  sessionEndedStore.set(ended);
  sessionStore.set(s);
}

/** Which pages a role sees; the API enforces the same rules, this only hides what would be refused. */
export const PAGES_BY_ROLE: Record<string, string[]> = {
  admin: ['overview', 'agents', 'compliance', 'alerts', 'evidence', 'settings', 'audit'],
  it_staff: ['overview', 'agents', 'compliance', 'alerts', 'evidence', 'settings'],
  incident_responder: ['overview', 'agents', 'compliance', 'alerts'],
  auditor: ['overview', 'agents', 'compliance', 'evidence', 'audit'],
};

/** Settings sections by the roles the API lets read them (collector/http/routes/*.ts). */
export const SETTINGS_BY_ROLE: Record<string, string[]> = {
  admin: ['units', 'systems', 'tokens', 'users', 'apiTokens', 'forwarders'],
  it_staff: ['units', 'systems', 'tokens', 'forwarders'],
  incident_responder: ['units', 'systems', 'forwarders'],
  auditor: ['units', 'systems'],
};
