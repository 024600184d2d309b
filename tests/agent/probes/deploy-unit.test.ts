// The systemd unit must be one systemd accepts, and must grant exactly what the Linux probes need to read:
// other processes' socket fds (CAP_SYS_PTRACE), any file (CAP_DAC_READ_SEARCH), firewall rules (CAP_NET_ADMIN).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './fake-host.js';

const unitPath = path.join(repoRoot, 'deploy/systemd/soclite-agent.service');
const unit = readFileSync(unitPath, 'utf8');
const directive = (k: string) => unit.split('\n').filter((l) => l.startsWith(`${k}=`)).map((l) => l.slice(k.length + 1));

describe('deploy/systemd/soclite-agent.service', () => {
  it('is accepted by systemd-analyze verify (ExecStart pointed at an existing binary)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'soclite-unit-'));
    const copy = path.join(dir, 'soclite-agent.service');
    writeFileSync(copy, unit.replace('ExecStart=/usr/bin/soclite ', `ExecStart=${process.execPath} `));
    // verify prints problems on stderr and exits non-zero on errors
    try {
      const out = execFileSync('systemd-analyze', ['verify', copy], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      expect(out).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs the agent with its state dir and only the capabilities the probes need', () => {
    expect(directive('ExecStart')).toEqual(['/usr/bin/soclite agent run --state-dir /var/lib/soclite-agent']);
    expect(directive('CapabilityBoundingSet')[0]!.split(/\s+/).sort()).toEqual(['CAP_DAC_READ_SEARCH', 'CAP_NET_ADMIN', 'CAP_SYS_PTRACE']);
    expect(directive('ProtectSystem')).toEqual(['strict']);
    expect(directive('ReadWritePaths')).toEqual(['/var/lib/soclite-agent']);
    expect(directive('NoNewPrivileges')).toEqual(['yes']);
  });
});
