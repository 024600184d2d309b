// Rate limits for agent traffic (reports and session openings), decided after authentication: the agent id in
// a request's path proves nothing until its signature or session MAC verifies, so counting requests per path
// id (as a generic rate limiter keyed on the URL would) let anyone use up a real agent's quota with junk sent
// in its name.
// - Per agent: requests whose signature or MAC verified, per minute (reportsPerMinutePerAgent). Counted in
//   request-auth.ts right after the check, before anything is stored.
// - Per client address: agent requests refused for bad or missing credentials or a malformed body, per minute
//   (requestsPerMinutePerIp). Past it, that address's agent requests are refused before any parsing or
//   verification until the minute ends. Accepted traffic is never counted per address: a whole unit behind
//   one NAT address is normal, and so is every agent reopening its session after a collector restart.
// Fixed one-minute windows: all counters are dropped together when a window ends, so memory is bounded by the
// agents and addresses seen in one minute and nothing is swept per request.
import { reject } from './errors.js';

export interface AgentRequestLimitSettings {
  /** Verified requests per minute for one agent. */
  perAgent: number;
  /** Refused agent requests per minute from one client address before its agent requests are turned away. */
  failuresPerAddress: number;
}

const WINDOW_MS = 60_000;

/** Refusals that say the caller is not a working agent: bad or missing credentials, a malformed body. */
export function countsAsFailure(status: number, code: string): boolean {
  // unknown_session is what every agent gets once after a collector restart (sessions live in memory); it is
  // refused with a map lookup, so not counting it costs nothing.
  if (code === 'unknown_session') return false;
  return status === 400 || status === 401 || status === 403 || status === 413 || status === 415;
}

export class AgentRequestLimits {
  private endsAt = 0;
  private agents = new Map<string, number>();
  private failures = new Map<string, number>();

  constructor(
    private readonly settings: AgentRequestLimitSettings,
    private readonly now: () => number = Date.now,
  ) {}

  /** Starts a new window when the current one has ended; returns the time now. */
  private tick(): number {
    const t = this.now();
    if (t >= this.endsAt) {
      this.endsAt = t + WINDOW_MS;
      this.agents = new Map();
      this.failures = new Map();
    }
    return t;
  }

  private refuse(t: number, limit: number, who: string): never {
    const retryAfterMs = this.endsAt - t;
    throw reject(429, 'rate_limited', `too many requests ${who} (limit ${limit} per minute); retry in ${Math.ceil(retryAfterMs / 1000)} s`, { retryAfterMs });
  }

  /** Refuses (429) an address that sent too many refused agent requests in this window. */
  checkAddress(address: string): void {
    const t = this.tick();
    if ((this.failures.get(address) ?? 0) >= this.settings.failuresPerAddress) {
      this.refuse(t, this.settings.failuresPerAddress, 'that were refused from this address');
    }
  }

  /** Counts one verified request of this agent; refuses (429) the ones past its quota. */
  admitAgent(agentId: string): void {
    const t = this.tick();
    const n = (this.agents.get(agentId) ?? 0) + 1;
    this.agents.set(agentId, n);
    if (n > this.settings.perAgent) this.refuse(t, this.settings.perAgent, 'from this agent');
  }

  /** Counts one refused agent request from this address (see countsAsFailure). */
  countFailure(address: string): void {
    this.tick();
    this.failures.set(address, (this.failures.get(address) ?? 0) + 1);
  }
}
