// The agent runs with the same V8 flags wherever it is installed: the systemd unit's NODE_OPTIONS (which
// bench:agent reads, so the benchmark measures the agent as deployed) and the node.exe arguments of the Windows
// start-up task.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './probes/fake-host.js';

const unit = readFileSync(path.join(repoRoot, 'deploy/systemd/soclite-agent.service'), 'utf8');
const ps1 = readFileSync(path.join(repoRoot, 'deploy/windows/install-agent.ps1'), 'utf8');

describe('agent Node flags as deployed', () => {
  it('the systemd unit sets a small young generation for the agent', () => {
    const lines = unit.split('\n').filter((l) => l.startsWith('Environment=NODE_OPTIONS='));
    expect(lines).toEqual(['Environment=NODE_OPTIONS=--max-semi-space-size=1']);
  });

  it('the Windows task passes the same flags to node.exe, before the script', () => {
    const unitFlags = unit.split('\n').find((l) => l.startsWith('Environment=NODE_OPTIONS='))!.slice('Environment=NODE_OPTIONS='.length);
    const flags = /^\$NodeFlags = '([^']*)'$/m.exec(ps1)?.[1];
    expect(flags).toBe(unitFlags);
    const action = ps1.split('\n').find((l) => l.startsWith('$action = New-ScheduledTaskAction'));
    expect(action).toContain(`-Argument ('{0} "{1}" agent run --state-dir "{2}"' -f $NodeFlags, $cli, $StateDir)`);
  });
});
