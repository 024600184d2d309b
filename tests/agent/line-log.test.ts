// The agent's line logger writes pino-layout JSON lines that log tools can read, drops lines below its level,
// keeps an Error's message and code, and never loses a message because a field cannot be serialised.
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { lineLogger } from '../../agent/line-log.js';

function capture(level: string) {
  const lines: string[] = [];
  const log = lineLogger({ level, component: 'agent', write: (l) => lines.push(l), now: () => 1_700_000_000_000 });
  return { log, lines, parsed: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('lineLogger', () => {
  it('writes one JSON object per line in pino layout', () => {
    const c = capture('info');
    c.log.info({ agentId: 'agt_1', outbox: { messages: 2 } }, 'agent starting');
    expect(c.lines).toHaveLength(1);
    expect(c.lines[0]!.endsWith('\n')).toBe(true);
    expect(c.parsed()[0]).toEqual({ level: 30, time: 1_700_000_000_000, pid: process.pid, hostname: os.hostname(), component: 'agent', agentId: 'agt_1', outbox: { messages: 2 }, msg: 'agent starting' });
  });

  it('drops lines below its level', () => {
    const c = capture('warn');
    c.log.debug({}, 'd');
    c.log.info({}, 'i');
    c.log.warn({}, 'w');
    c.log.error({}, 'e');
    expect(c.parsed().map((l) => [l.level, l.msg])).toEqual([
      [40, 'w'],
      [50, 'e'],
    ]);
    const silent = capture('silent');
    silent.log.error({}, 'e');
    expect(silent.lines).toEqual([]);
  });

  it('keeps an error’s type, message and code, and a line break in a hostile string stays inside its line', () => {
    const c = capture('info');
    const err = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    c.log.error({ err, path: 'evil\n{"level":60}' }, 'scan failed');
    expect(c.lines).toHaveLength(1);
    expect(c.lines[0]!.trimEnd().includes('\n')).toBe(false);
    expect(c.parsed()[0]!.err).toMatchObject({ type: 'Error', message: 'connect ECONNREFUSED', code: 'ECONNREFUSED' });
  });

  it('still writes the message when a field has a cycle', () => {
    const c = capture('info');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    c.log.warn({ cyclic }, 'still here');
    expect(c.parsed()[0]).toMatchObject({ level: 40, msg: 'still here', logError: expect.stringMatching(/not serialisable/) });
  });

  it('refuses a level it does not know', () => {
    expect(() => lineLogger({ level: 'verbose', component: 'agent' })).toThrow(/log level "verbose" is not one of/);
  });
});
