// Drives the real `soclite evidence` command in a child process.
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportBundle } from '../../collector/evidence/export.js';
import { openStore } from '../../collector/store/index.js';
import { defaultPolicyDir, loadPolicySet } from '../../collector/policy/index.js';
import { loadConfig } from '../../collector/config/load.js';
import { NOW, fixtureSource } from './fleet-fixture.js';
import { extractFlatZip } from './unzip.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const execFileP = promisify(execFile);

async function soclite(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await execFileP(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'cli/main.ts'), ...args], { cwd: repoRoot });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('soclite evidence', () => {
  let tmp: string;
  let zip: string;
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'soclite-evidence-cli-'));
    zip = path.join(tmp, 'bundle.zip');
    await exportBundle(fixtureSource(), { level: 3, to: NOW }, { outPath: zip, signingKey: generateKeyPairSync('ed25519').privateKey, generatorVersion: 't' });
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('verify exits 0 on an intact bundle and 1 naming a changed file', async () => {
    const ok = await soclite(['evidence', 'verify', zip]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/^OK: 11 files/);
    const dir = path.join(tmp, 'x');
    await extractFlatZip(zip, dir);
    const csv = path.join(dir, 'controls.csv');
    await writeFile(csv, (await readFile(csv, 'utf8')).replace('Chưa đáp ứng', 'Đáp ứng đầy đủ').replace('met_partly', 'met_fully'));
    const bad = await soclite(['evidence', 'verify', dir]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/CHANGED controls\.csv/);
    expect(bad.stdout).toMatch(/FAILED/);
  });

  it('verify --key rejects a bundle signed with another key', async () => {
    const other = path.join(tmp, 'other.pem');
    await writeFile(other, generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }));
    const r = await soclite(['evidence', 'verify', zip, '--key', other]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/public-key\.pem/);
  });

  it('export says clearly why it cannot run without a findings store, and checks its flags', async () => {
    const dataDir = path.join(tmp, 'data');
    await mkdir(dataDir);
    const r = await soclite(['evidence', 'export', '--level', '3', '--data-dir', dataDir, '--out', path.join(tmp, 'o.zip')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('evidence export needs a collector data dir with findings');
    const badLevel = await soclite(['evidence', 'export', '--level', '7', '--out', path.join(tmp, 'o.zip')]);
    expect(badLevel.code).toBe(2);
    expect(badLevel.stderr).toMatch(/--level must be a security level 1-5/);
    const both = await soclite(['evidence', 'export', '--level', '3', '--as-of', '2025-01-01', '--from', '2025-01-01', '--to', '2025-02-01', '--out', 'x.zip']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/either --as-of/);
  });

  it('export reads the collector configuration: its data dir and its policy folder', async () => {
    const dataDir = path.join(tmp, 'configured-data');
    openStore(dataDir).close();
    const config = path.join(tmp, 'collector.yaml');
    await writeFile(config, `storage:\n  dataDir: ${dataDir}\npolicy:\n  dir: ${path.join(tmp, 'no-policies-here')}\n`);
    const bad = await soclite(['evidence', 'export', '--level', '1', '--config', config, '--out', path.join(tmp, 'c1.zip')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('the policy set does not load');
    expect(bad.stderr).toContain('no-policies-here');
    await writeFile(config, `storage:\n  dataDir: ${dataDir}\n`);
    const ok = await soclite(['evidence', 'export', '--level', '1', '--config', config, '--out', path.join(tmp, 'c2.zip')]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/machines: 0/);
    expect((await soclite(['evidence', 'verify', path.join(tmp, 'c2.zip')])).code).toBe(0);
    // No collector has evaluated this database in full: nothing to warn about.
    expect(ok.stderr).not.toContain('warning');
  }, 60_000);

  it('export warns when the findings were last evaluated against another policy than the one it names', async () => {
    const dataDir = path.join(tmp, 'stale-data');
    const store = openStore(dataDir);
    // What a collector records once its fleet-wide re-evaluation has ended, here for an older policy set.
    store.settings.setEvaluatedPolicyDigest('0123456789abcdef'.repeat(4));
    store.close();
    const stale = await soclite(['evidence', 'export', '--level', '1', '--data-dir', dataDir, '--out', path.join(tmp, 's1.zip')]);
    expect(stale.code, stale.stderr).toBe(0);
    expect(stale.stderr).toContain('warning: the findings were last evaluated in full against policy 0123456789ab, not the one loaded now');
    expect(stale.stderr).toContain('cảnh báo');
    // Once they were evaluated against the policy loaded now, the warning goes.
    const current = openStore(dataDir);
    const { policy } = loadConfig({ dataDir }, {});
    current.settings.setEvaluatedPolicyDigest(loadPolicySet(defaultPolicyDir(), { packs: policy.packs, overrides: policy.overrides as never }).digest);
    current.close();
    const fresh = await soclite(['evidence', 'export', '--level', '1', '--data-dir', dataDir, '--out', path.join(tmp, 's2.zip')]);
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(fresh.stderr).not.toContain('warning');
  }, 60_000);
});
