// The agent request limits' counting, with a fake clock: per agent after authentication, refusals per address,
// one-minute windows that end together. (Over HTTP, with real signed reports: tests/security/logs-and-limits.)
import { describe, expect, it } from 'vitest';
import { AgentRequestLimits, countsAsFailure } from '../../../collector/fleet/agent-request-limits.js';
import { DomainError } from '../../../collector/fleet/errors.js';

function refusal(fn: () => void): DomainError | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err as DomainError;
  }
}

describe('AgentRequestLimits', () => {
  it('admits an agent up to its quota, then refuses with the time left in the window; the next window starts afresh', () => {
    let now = 1_000_000;
    const limits = new AgentRequestLimits({ perAgent: 2, failuresPerAddress: 100 }, () => now);
    expect(refusal(() => limits.admitAgent('agt_a'))).toBeUndefined();
    now += 10_000;
    expect(refusal(() => limits.admitAgent('agt_a'))).toBeUndefined();
    expect(refusal(() => limits.admitAgent('agt_b'))).toBeUndefined();
    now += 5_000;
    const err = refusal(() => limits.admitAgent('agt_a'));
    expect(err).toMatchObject({ statusCode: 429, code: 'rate_limited', details: { retryAfterMs: 45_000 } });
    expect(err!.message).toMatch(/from this agent \(limit 2 per minute\); retry in 45 s/);
    now += 44_999;
    expect(refusal(() => limits.admitAgent('agt_a'))?.code).toBe('rate_limited');
    now += 1;
    expect(refusal(() => limits.admitAgent('agt_a'))).toBeUndefined();
  });

  it('turns an address away once it has as many refusals as allowed, whatever agent it names; others are not affected', () => {
    let now = 0;
    const limits = new AgentRequestLimits({ perAgent: 100, failuresPerAddress: 3 }, () => now);
    for (let i = 0; i < 2; i++) limits.countFailure('192.0.2.1');
    expect(refusal(() => limits.checkAddress('192.0.2.1'))).toBeUndefined();
    limits.countFailure('192.0.2.1');
    expect(refusal(() => limits.checkAddress('192.0.2.1'))).toMatchObject({ statusCode: 429, code: 'rate_limited' });
    expect(refusal(() => limits.checkAddress('192.0.2.2'))).toBeUndefined();
    // Accepted requests from the address do not count against it.
    for (let i = 0; i < 50; i++) limits.admitAgent(`agt_${i}`);
    expect(refusal(() => limits.checkAddress('192.0.2.2'))).toBeUndefined();
    now += 60_000;
    expect(refusal(() => limits.checkAddress('192.0.2.1'))).toBeUndefined();
  });

  it('counts credential and body refusals as failures, not a lost session, a replay, a quota refusal or a server error', () => {
    for (const [status, code] of [[401, 'bad_signature'], [401, 'unsigned'], [403, 'agent_retired'], [400, 'invalid_body'], [400, 'malformed_json'], [413, 'body_too_large'], [415, 'unsupported_media_type']] as const) {
      expect(countsAsFailure(status, code), code).toBe(true);
    }
    for (const [status, code] of [[401, 'unknown_session'], [409, 'replayed_sequence'], [409, 'already_accepted'], [429, 'rate_limited'], [500, 'internal']] as const) {
      expect(countsAsFailure(status, code), code).toBe(false);
    }
  });
});
