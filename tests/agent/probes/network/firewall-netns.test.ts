// The Linux firewall probe against real nftables and iptables, inside a network namespace this test creates
// (so the host's own rules are never touched). Commands run through `ip netns exec`.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realHost, type HostAccess } from '../../../../agent/probes/host-access.js';
import { readLinuxFirewall } from '../../../../agent/probes/network/linux.js';
import { ProbeErrors } from '../../../../agent/probes/probe-errors.js';

const NS = `soclite-fw-${process.pid}`;
const sh = (cmd: string[], input?: string) => execFileSync('ip', ['netns', 'exec', NS, ...cmd], { encoding: 'utf8', ...(input ? { input } : {}) });

function inNamespace(): HostAccess {
  const base = realHost();
  return { ...base, exec: (file, args, opts) => base.exec('ip', ['netns', 'exec', NS, file, ...args], opts) };
}

describe('firewall probe on real rules in a private network namespace', () => {
  beforeAll(() => {
    execFileSync('ip', ['netns', 'add', NS]);
  });
  afterAll(() => {
    execFileSync('ip', ['netns', 'del', NS]);
  });

  it('no rules: filtering off, inbound allowed', async () => {
    const errors = new ProbeErrors();
    const fw = await readLinuxFirewall(inNamespace(), errors);
    expect(fw).toMatchObject({ enabled: false, defaultInbound: 'allow' });
  });

  it('nftables input chain with policy drop: filtering on, inbound denied', async () => {
    sh(['nft', '-f', '-'], 'table inet filter {\n chain input {\n  type filter hook input priority 0; policy drop;\n  iif "lo" accept\n  tcp dport 22 accept\n }\n}\n');
    const fw = await readLinuxFirewall(inNamespace(), new ProbeErrors());
    expect(fw).toMatchObject({ enabled: true, defaultInbound: 'deny' });
    expect(fw!.profiles.find((p) => p.name === 'nft')).toEqual({ name: 'nft', enabled: true, defaultInbound: 'deny' });
    sh(['nft', 'flush', 'ruleset']);
  });

  it('iptables INPUT rules with ACCEPT policy: filtering on, default still allow', async () => {
    sh(['iptables', '-A', 'INPUT', '-p', 'tcp', '--dport', '23', '-j', 'REJECT']);
    const fw = await readLinuxFirewall(inNamespace(), new ProbeErrors());
    expect(fw!.profiles.find((p) => p.name === 'iptables-save')).toEqual({ name: 'iptables-save', enabled: true, defaultInbound: 'allow' });
    expect(fw!.enabled).toBe(true);
  });
});
