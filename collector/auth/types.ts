// Users, roles and the principal a request acts as.
export const ROLES = ['admin', 'it_staff', 'incident_responder', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export interface User {
  id: string;
  username: string;
  role: Role;
  /** Units this user may see, each with its whole subtree. */
  unitIds: string[];
  disabled: boolean;
}

export interface Principal {
  user: User;
  via: 'session' | 'api_token';
  sessionId?: string;
  apiTokenId?: string;
}
