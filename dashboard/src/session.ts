// Who is logged in. The session id itself lives in an HttpOnly cookie the page cannot read; the page keeps
// only what the login answered (user, role, units, CSRF token) in sessionStorage, for this tab.
import { createStore } from './store.js';

export interface SessionInfo {
  username: string;
  role: string;
  unitIds: string[];
  csrfToken: string;
  expiresAt: string;
}

const KEY = 'soclite.session';

function load(): SessionInfo | null {
  try {
    const s = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as SessionInfo | null;
    return s && Date.parse(s.expiresAt) > Date.now() ? s : null;
  } catch {
    return null;
  }
}

export const sessionStore = createStore<SessionInfo | null>(load());
export const sessionEndedStore = createStore(false);

export function setSession(s: SessionInfo | null, ended = false): void {
  if (s) sessionStorage.setItem(KEY, JSON.stringify(s));
  else sessionStorage.removeItem(KEY);
  sessionEndedStore.set(ended);
  sessionStore.set(s);
}

/** Which pages a role sees; the API enforces the same rules, this only hides what would be refused. */
export const PAGES_BY_ROLE: Record<string, string[]> = {
  admin: ['overview', 'agents', 'compliance', 'alerts', 'evidence', 'settings'],
  it_staff: ['overview', 'agents', 'compliance', 'alerts', 'evidence', 'settings'],
  incident_responder: ['overview', 'agents', 'compliance', 'alerts'],
  auditor: ['overview', 'agents', 'compliance', 'evidence'],
};
