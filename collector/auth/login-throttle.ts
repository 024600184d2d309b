// Login throttling and lockout (in memory, per collector process): a username is locked after N consecutive
// failures, a client IP after M failures across any usernames within the window. A locked login is refused
// before the password is checked, so guessing during a lock learns nothing. Unknown usernames are counted
// like known ones, so a lock does not reveal which usernames exist.
import type { SecurityLimits } from './limits.js';

interface Counter {
  failures: number;
  windowStart: number;
  lockedUntil: number;
}

const MAX_TRACKED = 100_000;

export type ThrottleVerdict = { allowed: true } | { allowed: false; retryAfterSec: number; scope: 'user' | 'ip' };

export class LoginThrottle {
  private readonly users = new Map<string, Counter>();
  private readonly ips = new Map<string, Counter>();

  constructor(private readonly limits: Pick<SecurityLimits, 'loginFailuresPerUser' | 'loginFailuresPerIp' | 'loginLockoutSec'>) {}

  check(username: string, ip: string, now = Date.now()): ThrottleVerdict {
    for (const [scope, c] of [['user', this.users.get(username.toLowerCase())], ['ip', this.ips.get(ip)]] as const) {
      if (c && c.lockedUntil > now) return { allowed: false, retryAfterSec: Math.ceil((c.lockedUntil - now) / 1000), scope };
    }
    return { allowed: true };
  }

  /** Counts a failure; returns true when it locked the username or the IP. */
  fail(username: string, ip: string, now = Date.now()): boolean {
    const windowMs = this.limits.loginLockoutSec * 1000;
    const u = this.bump(this.users, username.toLowerCase(), now, Infinity);
    const i = this.bump(this.ips, ip, now, windowMs);
    let locked = false;
    if (u.failures >= this.limits.loginFailuresPerUser && u.lockedUntil <= now) {
      u.lockedUntil = now + windowMs;
      u.failures = 0;
      locked = true;
    }
    if (i.failures >= this.limits.loginFailuresPerIp && i.lockedUntil <= now) {
      i.lockedUntil = now + windowMs;
      i.failures = 0;
      locked = true;
    }
    return locked;
  }

  /** A correct password ends the username's run of failures (the IP's count stays: it may be spraying). */
  succeed(username: string): void {
    this.users.delete(username.toLowerCase());
  }

  private bump(map: Map<string, Counter>, key: string, now: number, windowMs: number): Counter {
    let c = map.get(key);
    if (!c) {
      if (map.size >= MAX_TRACKED) this.prune(map, now);
      c = { failures: 0, windowStart: now, lockedUntil: 0 };
      map.set(key, c);
    } else if (now - c.windowStart > windowMs) {
      c.failures = 0;
      c.windowStart = now;
    }
    c.failures++;
    return c;
  }

  /** Keeps memory bounded under a spray from many addresses: drops entries that are not locked. */
  private prune(map: Map<string, Counter>, now: number): void {
    for (const [k, c] of map) if (c.lockedUntil <= now) map.delete(k);
    if (map.size >= MAX_TRACKED) map.clear();
  }
}
