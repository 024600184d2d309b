// Request and login limits. Defaults suit one collector serving a province: agents are limited per
// authenticated agent (many agents may share one NAT address), people and unauthenticated callers per client IP.
export interface SecurityLimits {
  /**
   * Requests per minute from one client IP (people, enrollment, anything but agent reports and sessions); for
   * agent reports and sessions, the refused ones (bad credentials, malformed bodies) per minute from one IP.
   */
  requestsPerMinutePerIp: number;
  /**
   * Reports and session openings per minute for one agent, counted once its signature or MAC verified (an
   * agent draining its outbox after an outage bursts).
   */
  reportsPerMinutePerAgent: number;
  /** Consecutive failed logins after which a username is locked. */
  loginFailuresPerUser: number;
  /** Failed logins from one IP (any usernames) within the lockout window after which that IP is locked. */
  loginFailuresPerIp: number;
  /** How long a lock lasts, and the window in which IP failures are counted. */
  loginLockoutSec: number;
}

export const DEFAULT_LIMITS: SecurityLimits = {
  requestsPerMinutePerIp: 1200,
  reportsPerMinutePerAgent: 240,
  loginFailuresPerUser: 5,
  loginFailuresPerIp: 20,
  loginLockoutSec: 15 * 60,
};

export function resolveLimits(overrides: Partial<SecurityLimits> = {}): SecurityLimits {
  const out = { ...DEFAULT_LIMITS, ...overrides };
  for (const [k, v] of Object.entries(out)) {
    if (!(Number.isInteger(v) && v > 0)) throw new Error(`security limit ${k} must be a positive integer, got ${String(v)}`);
  }
  return out;
}
