// `soclite policy test` as a real child process must give exactly what evaluatePosture gives (the collector's
// code path), for several postures, levels, packs and attestation sets.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { evaluatePosture } from '../../collector/policy/index.js';
import { attestationSets, fixtureNow, fixturesDir, manifest, posture, repoRoot, shippedSet } from './helpers.js';

const exec = promisify(execFile);

async function soclite(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await exec('npx', ['tsx', 'cli/main.ts', ...args], { cwd: repoRoot, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

const cases = [
  { file: 'windows-workstation-weak.json', level: 3, packs: [] as string[], attestations: 'expired' as const },
  { file: 'linux-server-compliant.json', level: 5, packs: ['cis-v8'], attestations: 'valid' as const },
  { file: 'windows-workstation-partial.json', level: 2, packs: ['vn-nd85-tt12'], attestations: 'none' as const },
];

describe('soclite policy test', () => {
  it.each(cases)('$file at level $level (packs: $packs) equals evaluatePosture', async (c) => {
    const args = ['policy', 'test', path.join(fixturesDir, c.file), '--level', String(c.level), '--json', '--now', manifest.now];
    for (const p of c.packs) args.push('--pack', p);
    if (c.attestations !== 'none') args.push('--attestations', path.join(fixturesDir, manifest.attestations[c.attestations]));
    const r = await soclite(args);
    const expected = evaluatePosture(shippedSet(), posture(c.file), {
      level: c.level,
      packs: c.packs.length ? c.packs : undefined,
      now: fixtureNow,
      attestations: attestationSets[c.attestations],
    });
    const out = JSON.parse(r.stdout) as { findings: unknown[]; summary: { pass: number; fail: number; unknown: number }; level: number };
    expect(out.level).toBe(c.level);
    expect(out.findings).toEqual(JSON.parse(JSON.stringify(expected)));
    const failing = expected.filter((f) => f.status === 'fail' || f.status === 'unknown').length;
    expect(out.summary.fail + out.summary.unknown).toBe(failing);
    expect(r.code).toBe(failing > 0 ? 3 : 0);
  });

  it('prints a readable table with the same statuses', async () => {
    const file = 'windows-workstation-weak.json';
    const r = await soclite(['policy', 'test', path.join(fixturesDir, file), '--level', '1', '--pack', 'vn-nd85-tt12', '--now', manifest.now]);
    const expected = evaluatePosture(shippedSet(), posture(file), { level: 1, packs: ['vn-nd85-tt12'], now: fixtureNow });
    for (const f of expected) {
      const mark = { pass: 'PASS', fail: 'FAIL', unknown: 'UNKNOWN', not_applicable: 'N/A' }[f.status];
      expect(r.stdout).toMatch(new RegExp(`^${mark}\\s+${f.controlId.replace(/\./g, '\\.')}\\s`, 'm'));
    }
    expect(r.stdout).toContain('hardening.passwordPolicy.minLength is 0, expected ≥ 8');
  });

  it('refuses a posture that does not match the protocol, and a bad level', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'soclite-cli-'));
    const bad = structuredClone(posture('windows-workstation-compliant.json')) as unknown as { host: { os: { platform: string } } };
    bad.host.os.platform = 'amiga';
    writeFileSync(path.join(dir, 'bad.json'), JSON.stringify(bad));
    const r = await soclite(['policy', 'test', path.join(dir, 'bad.json'), '--level', '3']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('is not a valid posture');
    expect(r.stderr).toContain('/host/os/platform');
    const lvl = await soclite(['policy', 'test', path.join(fixturesDir, 'linux-server-compliant.json'), '--level', '9']);
    expect(lvl.code).toBe(2);
    expect(lvl.stderr).toContain('--level must be a security level 1-5');
  });

  it('explain shows the control in both languages with its parameters and sources', async () => {
    const r = await soclite(['policy', 'explain', 'vn.session.screen-lock']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Tự động khóa phiên khi không sử dụng');
    expect(r.stdout).toContain('The session locks automatically when idle');
    expect(r.stdout).toContain('maxScreenLockSeconds (seconds): 1=900 2=900 3=900 4=900 5=900');
    expect(r.stdout).toContain('organisation default');
    const unknown = await soclite(['policy', 'explain', 'vn.session']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('did you mean: vn.session.screen-lock');
  });
});
