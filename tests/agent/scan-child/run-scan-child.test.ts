// Real child processes stand in for `agent scan --json`: one that prints a posture, garbage, too much, fails,
// or hangs with a command of its own running. Every failure must be a ScanChildError with a reason, and a hung
// scan must be killed together with the commands it started.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runScanChild, ScanChildError } from '../../../agent/scan-child/run-scan-child.js';
import { samplePosture } from './helpers.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'soclite-scan-child-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A node script as the scan child. */
function child(name: string, source: string, timeoutMs = 20_000, signal?: AbortSignal) {
  const file = path.join(dir, `${name}.cjs`);
  writeFileSync(file, source);
  return runScanChild({ command: process.execPath, args: [file], timeoutMs, ...(signal ? { signal } : {}) });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Waits until the pid is gone (a killed process is reaped asynchronously). */
async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  return !alive(pid);
}

describe('runScanChild', () => {
  it('returns the posture the child printed, with the wall time from spawn to exit', async () => {
    const p = samplePosture();
    const r = await child('ok', `process.stdout.write(${JSON.stringify(JSON.stringify(p, null, 2))});`);
    expect(r.posture).toEqual(p);
    expect(r.wallMs).toBeGreaterThan(0);
  });

  it('refuses garbage output with the reason', async () => {
    const err = await child('garbage', `process.stdout.write('not a posture at all');`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScanChildError);
    expect((err as Error).message).toMatch(/not JSON/);
  });

  it('reports a failing child with its exit code and the end of its stderr, even if it printed a posture', async () => {
    const p = JSON.stringify(samplePosture());
    const err = await child('fails', `process.stdout.write(${JSON.stringify(p)}); console.error('probe exploded'); process.exit(3);`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScanChildError);
    expect((err as Error).message).toMatch(/exited with code 3: probe exploded/);
  });

  it('kills a child that prints more than a posture can be', async () => {
    const err = await runScanChild({
      command: process.execPath,
      args: ['-e', `const b = 'x'.repeat(65536); const w = () => process.stdout.write(b, w); w();`],
      timeoutMs: 20_000,
      maxOutputBytes: 256 * 1024,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScanChildError);
    expect((err as Error).message).toMatch(/more than 262144 bytes and was killed/);
  });

  it('kills a hung scan at its time limit, together with the command it was waiting for', async () => {
    const pidFile = path.join(dir, 'grandchild.pid');
    const err = await child(
      'hangs',
      `const { spawn } = require('node:child_process');
       const c = spawn('sleep', ['300'], { stdio: 'ignore' });
       require('node:fs').writeFileSync(${JSON.stringify(pidFile)}, String(c.pid));
       setInterval(() => {}, 1000);`,
      1500,
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScanChildError);
    expect((err as Error).message).toMatch(/did not finish within 2 s and was killed/);
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    expect(await gone(grandchild)).toBe(true);
  });

  it('kills a scan in progress when the agent stops', async () => {
    const ac = new AbortController();
    const pending = child('stopped', `setInterval(() => {}, 1000);`, 60_000, ac.signal).catch((e: unknown) => e);
    setTimeout(() => ac.abort(), 300);
    const err = await pending;
    expect(err).toBeInstanceOf(ScanChildError);
    expect((err as Error).message).toMatch(/agent is stopping/);
  });

  it('says so when the scan command cannot be started', async () => {
    const err = await runScanChild({ command: path.join(dir, 'no-such-node'), args: [], timeoutMs: 5000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScanChildError);
    expect((err as Error).message).toMatch(/could not be started: .*ENOENT/);
  });
});
