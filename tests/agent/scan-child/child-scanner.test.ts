// The agent's scan function with each scan in a child: the posture is stamped with this agent's id, sequence
// and version and its cost covers the child too; a failed scan becomes a schema-valid posture with every section
// unknown and the reason, never the previous scan's findings. The last test runs the real `agent scan --json`.
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ChildScanner } from '../../../agent/scan-child/child-scanner.js';
import { ScanChildError } from '../../../agent/scan-child/run-scan-child.js';
import { repoRoot } from '../probes/fake-host.js';
import { samplePosture, schemaErrors } from './helpers.js';

const ctx = { agentId: 'agt_test', version: '9.9.9', seq: 42 };

describe('ChildScanner', () => {
  it('stamps the child posture with the agent identity and counts the child in the cost figures', async () => {
    const child = samplePosture({ rssBytes: 70 * 1024 * 1024 });
    const scanner = new ChildScanner({ command: 'unused', args: [], timeoutMs: 1000, run: async () => ({ posture: structuredClone(child), wallMs: 1500 }) });
    const p = await scanner.scan(ctx);
    expect(p.agent).toMatchObject({ id: 'agt_test', version: '9.9.9', seq: 42, scanMs: 1500, probeErrors: child.agent.probeErrors });
    // this process's RSS plus the child's peak: both are alive while a scan runs
    expect(p.agent.rssBytes).toBeGreaterThan(child.agent.rssBytes);
    expect(p.host).toEqual(child.host);
    expect(schemaErrors(p)).toEqual([]);
  });

  it('turns a failed scan into an unknown posture with the reason, keeping only the last observed identity', async () => {
    let fail = false;
    const good = samplePosture();
    const scanner = new ChildScanner({
      command: 'unused',
      args: [],
      timeoutMs: 1000,
      run: async () => {
        if (fail) throw new ScanChildError('scan child did not finish within 120 s and was killed');
        return { posture: structuredClone(good), wallMs: 900 };
      },
    });
    const reasons: string[] = [];
    const first = new ChildScanner({ command: 'unused', args: [], timeoutMs: 1000, onFailure: (r) => reasons.push(r), run: async () => Promise.reject(new ScanChildError('scan child printed nothing')) });
    const never = await first.scan(ctx);
    expect(reasons).toEqual(['scan child printed nothing']);
    expect(never.host.hostname).toBe('unknown');
    expect(never.agent.probeErrors).toEqual([{ probe: 'scan', error: 'scan child printed nothing' }]);
    expect(schemaErrors(never)).toEqual([]);

    await scanner.scan(ctx);
    fail = true;
    const p = await scanner.scan({ ...ctx, seq: 43 });
    expect(p.agent.seq).toBe(43);
    expect(p.agent.probeErrors[0]).toEqual({ probe: 'scan', error: 'scan child did not finish within 120 s and was killed' });
    expect(p.agent.probeErrors[1]!.error).toContain(good.agent.collectedAt);
    for (const section of ['av', 'patches', 'network', 'hardening'] as const) expect(p[section]).toBeUndefined();
    // identity observed by the last good scan; its load and role are not carried over as if current
    expect(p.host).toEqual({ hostname: 'host-a', os: good.host.os, hardwareId: good.host.hardwareId, ips: good.host.ips, macs: good.host.macs });
    expect(schemaErrors(p)).toEqual([]);
  });

  it('a scan killed because the agent stops yields no posture at all, not an unknown one', async () => {
    const scanner = new ChildScanner({
      command: 'unused',
      args: [],
      timeoutMs: 1000,
      run: (o) => new Promise((_resolve, reject) => o.signal!.addEventListener('abort', () => reject(new ScanChildError('scan child killed: the agent is stopping')))),
    });
    const pending = scanner.scan(ctx);
    scanner.stop();
    await expect(pending).rejects.toThrow(/agent is stopping/);
  });

  it('does not hide errors that are not scan failures (a bug in the agent itself)', async () => {
    const scanner = new ChildScanner({ command: 'unused', args: [], timeoutMs: 1000, run: async () => Promise.reject(new TypeError('bug')) });
    await expect(scanner.scan(ctx)).rejects.toThrow(TypeError);
  });

  it('runs the real `soclite agent scan --json` in a child and returns a schema-valid posture of this host', async () => {
    const scanner = new ChildScanner({
      command: process.execPath,
      args: ['--import', 'tsx', path.join(repoRoot, 'cli/main.ts'), 'agent', 'scan', '--json'],
      timeoutMs: 120_000,
    });
    const p = await scanner.scan(ctx);
    expect(p.agent.probeErrors.find((e) => e.probe === 'scan')).toBeUndefined();
    expect(p.agent).toMatchObject({ id: 'agt_test', seq: 42 });
    expect(p.host.hostname).toBe(os.hostname());
    expect(p.agent.rssBytes).toBeGreaterThan(process.memoryUsage().rss);
    expect(p.agent.cpuPercent).toBeGreaterThan(0);
    expect(schemaErrors(p)).toEqual([]);
  }, 150_000);
});
