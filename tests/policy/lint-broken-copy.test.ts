// A broken copy of the shipped packs (written into a temp dir) must be refused as a whole, with every problem
// reported at the file and line to fix, both by loadPolicySet and by `soclite policy lint` as a real process.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadPolicySet, PolicyLoadError, type PolicyProblem } from '../../collector/policy/index.js';
import { policiesDir, repoRoot } from './helpers.js';

const run = promisify(execFile);

type Breakage = { file: string; from: string; to: string; message: RegExp };
// Each breakage replaces the first occurrence of `from`; the problem must point at the line where `to` lands.
const breakages: Breakage[] = [
  { file: 'vn-nd85-tt12/antimalware.yaml', from: 'severity: critical', to: 'severity: extreme', message: /severity: must be equal to one of the allowed values: low, medium, high, critical/ },
  { file: 'vn-nd85-tt12/accounts.yaml', from: 'hardening.passwordPolicy.minLength,', to: 'hardening.passwordPolicy.minLenght,', message: /unknown fact path "hardening\.passwordPolicy\.minLenght": "hardening\.passwordPolicy" has no field "minLenght"/ },
  { file: 'vn-nd85-tt12/patching.yaml', from: '{ param: maxDaysSinceLastPatchInstall }', to: '{ param: maxDaysSincePatch }', message: /unknown parameter "maxDaysSincePatch"/ },
  { file: 'vn-nd85-tt12/firewall.yaml', from: 'id: vn.firewall.default-deny', to: 'id: vn.firewall.enabled', message: /duplicate control id "vn\.firewall\.enabled" \(first defined at .*firewall\.yaml:4\)/ },
  { file: 'vn-nd85-tt12/remote-admin.yaml', from: 'matches: "anydesk|teamviewer|ultraviewer|vnc"', to: 'matches: "(a+)+$"', message: /unsafe or invalid pattern \/\(a\+\)\+\$\/: nested quantifier/ },
  { file: 'vn-nd85-tt12/services.yaml', from: '{ fact: port, in: [21, 23, 69, 512, 513, 514] }', to: '{ fact: port, in: [21, "telnet"] }', message: /value "telnet" cannot be compared with network\.listening\[\]\.port, which is a number/ },
  { file: 'vn-nd85-tt12/data-protection.yaml', from: '{ document: TT12, clause: "Phụ lục II-V', to: '{ document: TT13, clause: "Phụ lục II-V', message: /unknown document "TT13"/ },
  { file: 'cis-v8/accounts.yaml', from: 'severity: medium', to: 'severity: medium\n    colour: red', message: /colour: unknown field/ },
  { file: 'cis-v8/audit-logs.yaml', from: '{ fact: hardening.timeSync.enabled, eq: true }', to: '{ fact: hardening.timeSync.enabled, eq: yes please }', message: /value "yes please" cannot be compared with hardening\.timeSync\.enabled, which is a boolean/ },
  { file: 'cis-v8/pack.yaml', from: '    default: 92\n', to: '    default: 92\n    orgDefault: true\n', message: /needs either "sources" \(document \+ clause\) or "orgDefault: true", not both/ },
];

let brokenDir: string;
const expectedLine = new Map<Breakage, number>();

beforeAll(() => {
  brokenDir = path.join(mkdtempSync(path.join(tmpdir(), 'soclite-broken-')), 'policies');
  cpSync(policiesDir, brokenDir, { recursive: true });
  for (const b of breakages) {
    const file = path.join(brokenDir, b.file);
    const text = readFileSync(file, 'utf8');
    const at = text.indexOf(b.from);
    if (at < 0) throw new Error(`fixture drift: "${b.from}" not found in ${b.file}`);
    const next = text.slice(0, at) + b.to + text.slice(at + b.from.length);
    writeFileSync(file, next);
    // Line of the changed text: for an added line, the line that holds the new key.
    const changed = b.to.includes('\n') && b.to.startsWith(b.from.trimEnd()) ? at + b.to.indexOf('\n') + 1 : at;
    expectedLine.set(b, next.slice(0, changed).split('\n').length);
  }
});

function problemsOf(dir: string): PolicyProblem[] {
  try {
    loadPolicySet(dir);
  } catch (err) {
    expect(err).toBeInstanceOf(PolicyLoadError);
    return (err as PolicyLoadError).problems;
  }
  throw new Error('broken policy set was loaded');
}

describe('a broken copy of the shipped packs', () => {
  it('the shipped packs themselves load', () => {
    expect(loadPolicySet(policiesDir).controls.length).toBeGreaterThan(40);
  });

  it.each(breakages.map((b) => [b.file, b] as const))('reports %s at the exact line', (_name, b) => {
    const problems = problemsOf(brokenDir);
    const file = path.join(brokenDir, b.file);
    const hit = problems.find((p) => p.file === file && b.message.test(p.message));
    expect(hit, `no problem matching ${b.message} in ${b.file}; got:\n${problems.map((p) => `${p.file}:${p.line} ${p.message}`).join('\n')}`).toBeDefined();
    expect(hit?.line).toBe(expectedLine.get(b));
  });

  it('refuses the whole set, reporting every problem at once', () => {
    const problems = problemsOf(brokenDir);
    expect(problems.length).toBeGreaterThanOrEqual(breakages.length);
  });

  it('reports YAML syntax errors and duplicate keys with their line', () => {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'soclite-broken-')), 'policies');
    cpSync(policiesDir, dir, { recursive: true });
    const file = path.join(dir, 'cis-v8/malware-defenses.yaml');
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.splice(1, 0, 'family: again');
    writeFileSync(file, lines.join('\n'));
    const problems = problemsOf(dir);
    expect(problems).toContainEqual(expect.objectContaining({ file, line: 2, message: expect.stringMatching(/Map keys must be unique/) }));
  });

  it('`soclite policy lint` prints file:line for each problem and exits 1', async () => {
    const err = await run('npx', ['tsx', 'cli/main.ts', 'policy', 'lint', brokenDir], { cwd: repoRoot }).then(
      () => undefined,
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    expect(err?.code).toBe(1);
    for (const b of breakages) {
      const prefix = `${path.join(brokenDir, b.file)}:${expectedLine.get(b)}:`;
      const line = err?.stdout.split('\n').find((l) => l.startsWith(prefix) && b.message.test(l));
      expect(line, `lint output lacks ${prefix} ${b.message}`).toBeDefined();
    }
    expect(err?.stderr).toContain('problem(s) in');
  });

  it('`soclite policy lint` passes on the shipped packs', async () => {
    const { stdout } = await run('npx', ['tsx', 'cli/main.ts', 'policy', 'lint', 'policies'], { cwd: repoRoot });
    expect(stdout).toMatch(/^ok: 2 pack\(s\), \d+ controls \(cis-v8: \d+ controls, vn-nd85-tt12: \d+ controls\)/);
  });
});
