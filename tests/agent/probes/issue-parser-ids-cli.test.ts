// Every parser id the agent issue names, run through the real CLI (`soclite agent parse <id> <file>` as a child
// process): it accepts real output of its command -- our captured or real-format fixtures and every matching
// public sample in ../shared/fixtures/public, read in place -- and prints what the in-process parser returns; it
// refuses garbage with exit 1 and a message naming the id and what is wrong.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parsers, REQUIRED_PARSER_IDS } from '../../../agent/parsers.js';
import { repoRoot, sharedRoot } from './fake-host.js';

function soclite(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'cli/main.ts'), ...args], { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr });
    });
  });
}

type Id = (typeof REQUIRED_PARSER_IDS)[number];
const fx = (rel: string) => path.join(repoRoot, 'tests/fixtures', rel);
const pub = path.join(sharedRoot, 'fixtures/public');
const pubPresent = existsSync(pub);
if (!pubPresent) console.warn(`shared fixtures absent (${pub}): the public-sample CLI checks did not run`);

/** Our fixtures per id, with facts the output must hold (beyond equalling the in-process parse). */
const OWN: Record<Id, [string, Record<string, unknown> | unknown[]][]> = {
  'windows.securitycenter': [
    [
      'windows/securitycenter/antivirusproduct-kaspersky-defender-off.json',
      [
        { name: 'Windows Defender', state: expect.objectContaining({ enabled: false, microsoft: true }) },
        { name: 'Kaspersky Endpoint Security for Windows', state: expect.objectContaining({ enabled: true, upToDate: true, microsoft: false }) },
      ],
    ],
  ],
  'windows.defender': [['windows/defender/get-mpcomputerstatus-normal.json', { realTimeProtection: true, passive: false, tamperProtected: true, signatureVersion: '1.421.1030.0' }]],
  'windows.firewall': [
    [
      'windows/firewall/get-netfirewallprofile-public-off.json',
      [
        { name: 'Domain', enabled: true, defaultInbound: 'deny', defaultInboundSetting: 'Block' },
        { name: 'Private', enabled: true, defaultInbound: 'deny', defaultInboundSetting: 'NotConfigured' },
        { name: 'Public', enabled: false, defaultInbound: 'allow', defaultInboundSetting: 'Allow' },
      ],
    ],
  ],
  'linux.mdatp': [
    ['linux/mdatp/mdatp-health-active-anonymised.json', { healthy: true }],
    ['linux/mdatp/mdatp-health-unhealthy-anonymised.json', { healthy: false, definitionsStatus: 'unavailable' }],
  ],
  'linux.apt-upgradable': [['linux/apt/apt-list-upgradable-debian12.txt', { total: 128, security: 73 }]],
  'linux.dnf-security': [
    [
      'linux/dnf/dnf-updateinfo-list-security-el9.txt',
      { format: 'dnf4', advisories: 7, pendingSecurity: 12, bySeverity: { Critical: 1, Important: 3, Moderate: 1, Low: 1, None: 1 } },
    ],
    [
      'linux/dnf/dnf5-updateinfo-list-security-fedora41.txt',
      { format: 'dnf5', advisories: 5, pendingSecurity: 7, bySeverity: { Critical: 1, Important: 1, Moderate: 1, Low: 1, None: 1 } },
    ],
  ],
  'linux.proc-net': [
    ['linux/proc-net/tcp-debian12.txt', [expect.objectContaining({ proto: 'tcp', family: 4, localAddress: '127.0.0.1', localPort: 38001, listening: true })]],
    ['linux/proc-net/tcp6-debian12.txt', [expect.objectContaining({ proto: 'tcp', family: 6, localAddress: '::', localPort: 38002, listening: true })]],
    ['linux/proc-net/udp-debian12.txt', [expect.objectContaining({ proto: 'udp', family: 4, localAddress: '127.0.0.53', localPort: 38008 })]],
    ['linux/proc-net/udp6-debian12.txt', [expect.objectContaining({ proto: 'udp', family: 6 })]],
  ],
  'linux.ufw': [['linux/ufw/ufw-status-verbose-inactive.txt', { enabled: false, rules: [] }]],
  'linux.cryptsetup': [['linux/cryptsetup/cryptsetup-status-luks2.txt', { active: true, type: 'LUKS2', cipher: 'aes-xts-plain64' }]],
  'linux.clamav-log': [
    ['linux/clamav/clamd-log-eicar-found.txt', { detections: [expect.objectContaining({ signature: 'Soclite.Test.EICAR-1.UNOFFICIAL' })] }],
    ['linux/clamav/clamscan-log-eicar-found.txt', { infectedFiles: 1, detections: [expect.objectContaining({ path: 'eicar.com' })] }],
  ],
  'linux.clamav-db': [['linux/clamav/sigtool-build-unsigned-header-512.txt', { builtAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) }]],
  'macos.softwareupdate': [
    ['macos/softwareupdate/softwareupdate-list-sonoma.txt', { restartRequired: true }],
    ['macos/softwareupdate/softwareupdate-list-none.txt', { total: 0, security: 0 }],
  ],
  'macos.socketfilterfw': [
    ['macos/socketfilterfw/socketfilterfw-sonoma-enabled.txt', { enabled: true }],
    ['macos/socketfilterfw/socketfilterfw-catalina-disabled.txt', { enabled: false }],
  ],
  'macos.fdesetup': [
    ['macos/fdesetup/fdesetup-status-on.txt', { enabled: true }],
    ['macos/fdesetup/fdesetup-status-off.txt', { enabled: false }],
    ['macos/fdesetup/fdesetup-status-encrypting.txt', { enabled: true, inProgress: 'encrypting' }],
  ],
};

/** Public sample folders for the ids; samples the upstream project keeps as negative cases must be refused. */
const PUBLIC_FOR: [RegExp, Id][] = [
  [/^windows\/securitycenter\//, 'windows.securitycenter'],
  [/^windows\/firewall\/get-netfirewallprofile/, 'windows.firewall'],
  [/^linux\/defender\/mdatp-health-/, 'linux.mdatp'],
  [/^linux\/ufw\/ufw-status/, 'linux.ufw'],
  [/^linux\/clamav\/.*(cvd|cld).*header/i, 'linux.clamav-db'],
];
const PUBLIC_NEGATIVE = new Set(['linux/defender/mdatp-health-not-expected-output.json']);

function publicSamples(): { rel: string; id: Id }[] {
  if (!pubPresent) return [];
  const out: { rel: string; id: Id }[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (!e.name.endsWith('.source.txt')) {
        const rel = path.relative(pub, full).split(path.sep).join('/');
        const id = PUBLIC_FOR.find(([re]) => re.test(rel))?.[1];
        if (id) out.push({ rel, id });
      }
    }
  };
  walk(pub);
  return out.sort((a, b) => a.rel.localeCompare(b.rel));
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'soclite-issue-parse-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** What the in-process parser makes of a file (reading at most maxBytes, as the CLI does). */
function inProcess(id: string, file: string): unknown {
  const p = parsers[id]!;
  const buf = readFileSync(file);
  return p.parse(buf.subarray(0, p.maxBytes ?? buf.length).toString('utf8'));
}

describe('the issue parser ids exist under exactly those names', () => {
  it('each is registered and listed by `soclite agent parse --help`', async () => {
    for (const id of REQUIRED_PARSER_IDS) expect(Object.hasOwn(parsers, id), id).toBe(true);
    const r = await soclite(['agent', 'parse', '--help']);
    expect(r.code).toBe(0);
    const listed = r.stdout.split('\n').map((l) => /^ {2}(\S+)\s/.exec(l)?.[1]).filter(Boolean);
    for (const id of REQUIRED_PARSER_IDS) expect(listed).toContain(id);
    expect(new Set(listed).size).toBe(listed.length);
  });
});

describe.concurrent.each(REQUIRED_PARSER_IDS.map((id) => [id]))('soclite agent parse %s', (id: Id) => {
  for (const [rel, facts] of OWN[id]) {
    it(`accepts ${rel}`, async () => {
      const r = await soclite(['agent', 'parse', id, fx(rel)]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout) as unknown;
      expect(out).toEqual(JSON.parse(JSON.stringify(inProcess(id, fx(rel)))));
      if (Array.isArray(facts)) {
        expect(out).toEqual(expect.arrayContaining(facts.map((f) => (f && typeof f === 'object' && !('asymmetricMatch' in f) ? expect.objectContaining(f) : f))));
      } else expect(out).toMatchObject(facts);
    });
  }

  for (const { rel } of publicSamples().filter((s) => s.id === id)) {
    const negative = PUBLIC_NEGATIVE.has(rel);
    it(`${negative ? 'refuses' : 'accepts'} the public sample ${rel}`, async () => {
      const file = path.join(pub, rel);
      const r = await soclite(['agent', 'parse', id, file]);
      if (negative) {
        expect(r.code).toBe(1);
        expect(r.stderr).toContain(`${id}: ${file} is not valid input`);
      } else {
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        expect(JSON.parse(r.stdout)).toEqual(JSON.parse(JSON.stringify(inProcess(id, file))));
      }
    });
  }

  it('refuses garbage with exit 1 and a message naming the id and the problem', async () => {
    const file = path.join(tmp, `${id}.garbage`);
    writeFileSync(file, `<html><body>Lorem ipsum dolor sit amet (${id})</body></html>\n`);
    const r = await soclite(['agent', 'parse', id, file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    // "<id>: <file> is not valid input / dữ liệu không hợp lệ: <what is wrong>"
    const m = new RegExp(`${id.replace('.', '\\.')}: \\S+ is not valid input / dữ liệu không hợp lệ: (.+)`).exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    expect(m![1]!.length).toBeGreaterThan(15);
  });
});

describe('the public samples are covered', () => {
  it.runIf(pubPresent)('at least one public sample exists for each mapped folder', () => {
    const ids = new Set(publicSamples().map((s) => s.id));
    for (const [, id] of PUBLIC_FOR) expect(ids, id).toContain(id);
  });
});
