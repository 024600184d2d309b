// The collector's in-memory session table: bounded per agent and in total, expiring on its own clock, and a
// session answers only for the agent that opened it.
import { describe, expect, it } from 'vitest';
import { AgentSessions, openAgentSession } from '../../../collector/fleet/sessions.js';
import { DomainError } from '../../../collector/fleet/errors.js';
import { deriveSessionKey, newX25519KeyPair } from '../../../protocol/index.js';

const key = Buffer.alloc(32, 1);

describe('AgentSessions', () => {
  it('keeps at most maxPerAgent sessions per agent, dropping the oldest', () => {
    const s = new AgentSessions({ maxPerAgent: 4 });
    const ids = [1, 2, 3, 4, 5].map((i) => s.add(`sess-a-${i}`, 'agt_a', key, `x${i}`) && `sess-a-${i}`);
    s.add('sess-b-1', 'agt_b', key, 'y1');
    expect(s.lookup(ids[0]!, 'agt_a')).toEqual({ err: 'unknown' });
    for (const id of ids.slice(1)) expect('ok' in s.lookup(id!, 'agt_a')).toBe(true);
    expect('ok' in s.lookup('sess-b-1', 'agt_b')).toBe(true);
    expect(s.size).toBe(5);
  });

  it('keeps at most maxTotal sessions, dropping the oldest overall', () => {
    const s = new AgentSessions({ maxTotal: 3 });
    for (let i = 1; i <= 5; i++) s.add(`sess-${i}`, `agt_${i}`, key, 'x');
    expect(s.size).toBe(3);
    expect(s.lookup('sess-1', 'agt_1')).toEqual({ err: 'unknown' });
    expect(s.lookup('sess-2', 'agt_2')).toEqual({ err: 'unknown' });
    expect('ok' in s.lookup('sess-5', 'agt_5')).toBe(true);
    // The dropped agent's bookkeeping went too: it may open again up to its own limit.
    expect(s.hasAgentKey('agt_1', 'x')).toBe(false);
  });

  it('expires sessions on its clock and sweeps them when new ones open', () => {
    let now = 1_000_000;
    const s = new AgentSessions({ lifetimeMs: 1000 }, () => now);
    s.add('old', 'agt_a', key, 'x1');
    now += 999;
    expect('ok' in s.lookup('old', 'agt_a')).toBe(true);
    now += 1;
    expect(s.lookup('old', 'agt_a')).toEqual({ err: 'expired' });
    expect(s.lookup('old', 'agt_a')).toEqual({ err: 'unknown' });
    s.add('b1', 'agt_b', key, 'y1');
    now += 120_000;
    s.add('c1', 'agt_c', key, 'z1');
    expect(s.size).toBe(1);
  });

  it('answers a session only for the agent that opened it, and drops a retired agent’s sessions', () => {
    const s = new AgentSessions();
    s.add('sa', 'agt_a', key, 'x1');
    s.add('sb', 'agt_b', key, 'y1');
    expect(s.lookup('sa', 'agt_b')).toEqual({ err: 'other_agent' });
    s.dropAgent('agt_a');
    expect(s.lookup('sa', 'agt_a')).toEqual({ err: 'unknown' });
    expect('ok' in s.lookup('sb', 'agt_b')).toBe(true);
  });
});

describe('openAgentSession', () => {
  it('agrees the key the agent derives, without sending it', () => {
    const s = new AgentSessions();
    const agent = newX25519KeyPair();
    const res = openAgentSession(s, 'agt_a', agent.publicKeyB64);
    const found = s.lookup(res.sessionId, 'agt_a');
    expect('ok' in found && found.ok.key.equals(deriveSessionKey(agent.privateKey, res.x25519PublicKey, res.sessionId, 'agt_a'))).toBe(true);
    expect(JSON.stringify(res)).not.toContain(('ok' in found && found.ok.key.toString('base64')) || 'x');
  });

  it('refuses a low-order X25519 key (400) and the same agent key twice (409)', () => {
    const s = new AgentSessions();
    const zero = Buffer.alloc(32).toString('base64');
    expect(() => openAgentSession(s, 'agt_a', zero)).toThrow(DomainError);
    expect(() => openAgentSession(s, 'agt_a', zero)).toThrow(/x25519PublicKey/);
    const k = newX25519KeyPair().publicKeyB64;
    openAgentSession(s, 'agt_a', k);
    expect(() => openAgentSession(s, 'agt_a', k)).toThrow(expect.objectContaining({ statusCode: 409, code: 'session_key_reused' }) as Error);
  });
});
