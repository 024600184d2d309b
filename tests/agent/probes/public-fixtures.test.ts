// Every real public sample in ../shared/fixtures/public that one of our parsers reads, with the values its
// .source.txt describes. Files are located from the repository, never copied into it.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsers } from '../../../agent/parsers.js';
import { normalizeAv } from '../../../agent/probes/av/normalize.js';
import { windowsAvProducts } from '../../../agent/probes/windows/collect-json.js';
import { securityCenterFrom } from '../../../agent/probes/windows/security-center.js';
import { sharedRoot } from './fake-host.js';

const pub = path.join(sharedRoot, 'fixtures/public');
const present = existsSync(pub);
if (!present) console.warn(`shared fixtures absent (${pub}): public-sample checks did not run`);
const read = (rel: string) => readFileSync(path.join(pub, rel), 'utf8');
const parse = (id: string, rel: string) => parsers[id]!.parse(read(rel)) as Record<string, unknown>;

/** Which parser reads which public sample, by path. A new sample in a known folder must get a parser here. */
const PARSER_FOR: [RegExp, string][] = [
  [/\/netstat\/netstat-rnv?-/, 'generic.netstat-rn'],
  [/^linux\/clamav\/.*cvd.*header-512\.txt$/, 'linux.clamav-db'],
  [/^linux\/defender\/mdatp-health-/, 'linux.mdatp'],
  [/^linux\/firewalld\/systemctl-status-/, 'linux.systemctl-status'],
  [/^linux\/sentinelone\/sentinelctl-/, 'linux.sentinelctl'],
  [/^linux\/ufw\/ufw-status-/, 'linux.ufw'],
  [/^macos\/cortex-xdr\/cytool-info-/, 'macos.cytool-info'],
  [/^macos\/cortex-xdr\/cytool-runtime-query-/, 'macos.cytool-runtime'],
  [/^macos\/launchctl\/launchctl-list/, 'macos.launchctl-list'],
  [/^windows\/firewall\/get-netfirewallprofile/, 'windows.firewall'],
  [/^windows\/securitycenter\/securitycenter2-/, 'windows.securitycenter'],
];
/** Samples that are deliberately not tool output (upstream negative cases): the parser must refuse them. */
const NEGATIVE = new Set(['linux/defender/mdatp-health-not-expected-output.json']);

function samples(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (!e.name.endsWith('.source.txt')) out.push(path.relative(pub, full).split(path.sep).join('/'));
    }
  };
  walk(pub);
  return out.sort();
}

describe.runIf(present)('public samples', () => {
  it('every sample has a parser, and each parses (or, for upstream negative cases, is refused)', () => {
    const all = samples();
    expect(all.length).toBeGreaterThan(0);
    for (const rel of all) {
      const id = PARSER_FOR.find(([re]) => re.test(rel))?.[1];
      expect(id, `no parser mapped for ${rel}`).toBeDefined();
      if (NEGATIVE.has(rel)) expect(() => parse(id!, rel), rel).toThrow();
      else expect(() => parse(id!, rel), rel).not.toThrow();
    }
  });

  it('netstat -rn on AIX (French headers too), HP-UX, NetBSD and macOS: default gateways', () => {
    const gw = (rel: string) => (parse('generic.netstat-rn', rel).defaultGateways as { gateway: string }[]).map((g) => g.gateway);
    expect(gw('aix/netstat/netstat-rn-aix-5.3a.txt')).toEqual(['192.168.2.254', '192.168.2.250']);
    expect(gw('aix/netstat/netstat-rn-aix-6.1a.txt')).toEqual(['172.16.0.254']);
    expect(gw('bsd/netstat/netstat-rn-netbsd.txt')).toEqual(['10.0.1.1']);
    expect(gw('hpux/netstat/netstat-rn-hpux-generic1.txt')).toEqual(['10.0.4.33']);
    expect(gw('hpux/netstat/netstat-rnv-hpux.txt')).toEqual(['172.24.70.254']);
    expect(gw('hpux/netstat/netstat-rnv-hpux2.txt')).toEqual(['10.0.3.1']);
    expect(gw('macos/netstat/netstat-rn-macosx1.txt')).toEqual(['192.168.0.254']);
  });

  it('ClamAV official .cvd headers: version, signatures, builder and epoch build time', () => {
    expect(parse('linux.clamav-db', 'linux/clamav/bytecode-cvd-v19-header-512.txt')).toMatchObject({ version: 19, signatures: 3, functionalityLevel: 51, builder: 'nervous', builtAtEpoch: 1273845430, builtAt: '2010-05-14T13:57:10.000Z' });
    expect(parse('linux.clamav-db', 'linux/clamav/test-1-cvd-header-512.txt')).toMatchObject({ version: 1, signatures: 0, functionalityLevel: 81, builder: 'micasnyd', builtAt: '2021-06-22T18:58:22.000Z' });
  });

  it('mdatp health 101.23062: passive mode, real-time off, definitions up to date', () => {
    expect(parse('linux.mdatp', 'linux/defender/mdatp-health-101.23062.0010.json')).toMatchObject({
      appVersion: '101.23062.0010',
      healthy: true,
      passiveMode: true,
      realTimeProtection: false,
      definitionsStatus: 'upToDate',
      definitionsVersion: '1.395.30.0',
      definitionsUpdatedAt: new Date(1691587153787).toISOString(),
      tamperProtection: 'disabled',
    });
  });

  it('systemctl status firewalld: active and enabled', () => {
    expect(parse('linux.systemctl-status', 'linux/firewalld/systemctl-status-firewalld-active-enabled.txt')).toEqual({ unit: 'firewalld.service', active: true, activeState: 'active', subState: 'running', loaded: true, enabled: true, mainPid: 698 });
  });

  it('sentinelctl 30.1.1.10: agent enabled, anti-tamper on, connected', () => {
    expect(parse('linux.sentinelctl', 'linux/sentinelone/sentinelctl-30.1.1.10.txt')).toMatchObject({
      agentVersion: '30.1.1.10',
      agentEnabled: true,
      antiTamper: true,
      connectivity: true,
      processes: expect.arrayContaining([{ name: 'scanner', pid: 903 }]),
    });
  });

  it('ufw status (active) with deny/allow rules', () => {
    const u = parse('linux.ufw', 'linux/ufw/ufw-status-active.txt') as { enabled: boolean; rules: { to: string; action: string }[] };
    expect(u.enabled).toBe(true);
    expect(u.rules).toHaveLength(6);
    expect(u.rules[1]).toEqual({ to: '22', action: 'DENY', from: 'Anywhere' });
  });

  it('Cortex XDR cytool 8.2.1 on macOS', () => {
    expect(parse('macos.cytool-info', 'macos/cortex-xdr/cytool-info-8.2.1.47908.txt')).toEqual({ version: '8.2.1.47908' });
    expect(parse('macos.cytool-info', 'macos/cortex-xdr/cytool-info-query-8.2.1.47908.txt')).toEqual({ contentVersion: '1270-79108', contentBuild: '79108' });
    const rt = parse('macos.cytool-runtime', 'macos/cortex-xdr/cytool-runtime-query-8.2.1.47908.txt') as { allRunning: boolean; processes: { name: string; pid?: number; status: string }[] };
    expect(rt.allRunning).toBe(true);
    expect(rt.processes.map((p) => p.name)).toEqual(['cortex xdr', 'authorized', 'pmd', 'kproc-ctrl']);
    expect(rt.processes[2]).toMatchObject({ pid: 909, status: 'Running' });
  });

  it('launchctl list: running and stopped jobs', () => {
    const jobs = parse('macos.launchctl-list', 'macos/launchctl/launchctl-list.txt') as unknown as { label: string; running: boolean; pid?: number }[];
    const lines = read('macos/launchctl/launchctl-list.txt').split('\n').filter((l) => l.trim()).length - 1;
    expect(jobs).toHaveLength(lines);
    expect(jobs.find((j) => j.label === 'com.apple.coreservicesd')).toEqual({ label: 'com.apple.coreservicesd', running: true, pid: 106, lastExitStatus: 0 });
    expect(jobs.find((j) => j.label === 'com.apple.storedownloadd.daemon')!.running).toBe(false);
  });

  it('Get-NetFirewallProfile: NotConfigured inbound means the built-in Block', () => {
    expect(parse('windows.firewall', 'windows/firewall/get-netfirewallprofile.json')).toEqual([
      { name: 'Private', enabled: true, enabledSetting: 'True', defaultInbound: 'deny', defaultInboundSetting: 'NotConfigured' },
      { name: 'Public', enabled: true, enabledSetting: 'True', defaultInbound: 'deny', defaultInboundSetting: 'NotConfigured' },
    ]);
  });

  it('SecurityCenter2 capture: Defender 397568 is on, Microsoft, up to date, and the host is protected', () => {
    const products = parse('windows.securitycenter', 'windows/securitycenter/securitycenter2-products-defender.json') as unknown as { name: string; state: { enabled: boolean; microsoft: boolean; upToDate: boolean } }[];
    expect(products).toHaveLength(1);
    expect(products[0]).toMatchObject({ name: 'Windows Defender', state: { enabled: true, microsoft: true, upToDate: true, providers: ['autoupdate', 'antivirus'] } });
    const wsc = securityCenterFrom(JSON.parse(read('windows/securitycenter/securitycenter2-products-defender.json').replace(/^\uFEFF/, '')));
    expect(normalizeAv(windowsAvProducts(wsc, undefined, [])).status).toBe('protected');
  });
});
