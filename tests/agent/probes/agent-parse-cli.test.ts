// `soclite agent parse <parser-id> <file>`: normalized JSON on stdout and exit 0; unknown id or garbage
// input: exit 1 with a clear message on stderr; --help lists the parser ids. Run as a real child process.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsers } from '../../../agent/parsers.js';
import { runParse } from '../../../cli/commands/agent-parse.js';
import { CliError } from '../../../cli/errors.js';
import { repoRoot } from './fake-host.js';

function soclite(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'cli/main.ts'), ...args], { cwd: repoRoot }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr });
    });
  });
}

const fx = (rel: string) => path.join(repoRoot, 'tests/fixtures', rel);

describe('soclite agent parse', () => {
  it('prints the normalized JSON of a captured output', async () => {
    const r = await soclite(['agent', 'parse', 'linux.clamav-log', fx('linux/clamav/clamd-log-eicar-found.txt')]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ detections: [{ path: '/tmp/cd/eicar.com', signature: 'Soclite.Test.EICAR-1.UNOFFICIAL', loggedAt: 'Sun Nov 22 02:12:39 2026' }] });
  });

  it('unknown parser id: exit 1 and a message naming it', async () => {
    const r = await soclite(['agent', 'parse', 'linux.nope', fx('linux/clamav/clamd-log-eicar-found.txt')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/unknown parser id "linux\.nope"/);
  });

  it('garbage input: exit 1 and what is wrong', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'soclite-parse-'));
    const f = path.join(dir, 'garbage.txt');
    writeFileSync(f, 'this is not apt output\n');
    const r = await soclite(['agent', 'parse', 'linux.apt-upgradable', f]);
    rmSync(dir, { recursive: true, force: true });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not valid input.*line 1: not an "apt list --upgradable" entry/);
  });

  it('missing file: exit 1', async () => {
    const r = await soclite(['agent', 'parse', 'linux.ss', '/nonexistent/soclite.txt']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot read \/nonexistent\/soclite\.txt: ENOENT/);
  });

  it('--help lists every parser id', async () => {
    const r = await soclite(['agent', 'parse', '--help']);
    expect(r.code).toBe(0);
    for (const id of Object.keys(parsers)) expect(r.stdout).toContain(id);
  });

  it('runParse called directly: bad usage is exit 2, unknown id exit 1', async () => {
    await expect(runParse(['linux.ss'])).rejects.toMatchObject({ exitCode: 2 });
    await expect(runParse(['no.such', 'x'])).rejects.toBeInstanceOf(CliError);
    await expect(runParse(['no.such', 'x'])).rejects.toMatchObject({ exitCode: 1 });
    await expect(runParse(['__proto__', 'x'])).rejects.toMatchObject({ exitCode: 1 });
  });
});
