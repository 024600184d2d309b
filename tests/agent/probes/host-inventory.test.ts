// The boot time is part of the posture hash: it must not move between two scans of a machine that did not reboot.
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { bootTimeFrom, readHostInventory } from '../../../agent/probes/inventory/host.js';
import { ProbeErrors } from '../../../agent/probes/probe-errors.js';

describe('boot time', () => {
  it('is the same for two scans minutes apart whose clock and uptime readings are tens of milliseconds out of step', () => {
    const boot = Date.parse('2026-12-07T17:15:13.330Z');
    const first = bootTimeFrom(boot + 3_600_000, 3_600 - 0.026);
    const second = bootTimeFrom(boot + 3_900_000 + 29, 3_900);
    expect(first).toBe('2026-12-07T17:15:00.000Z');
    expect(second).toBe(first);
    // A reboot is a change.
    expect(bootTimeFrom(boot + 3_900_000, 120)).toBe('2026-12-07T18:18:00.000Z');
  });

  it('reads this machine twice to the same minute, within a minute of what the kernel says', async () => {
    const a = await readHostInventory(new ProbeErrors());
    await new Promise((r) => setTimeout(r, 1100));
    const b = await readHostInventory(new ProbeErrors());
    expect(a.host.bootAt).toBeDefined();
    expect(b.host.bootAt).toBe(a.host.bootAt);
    expect(Math.abs(Date.parse(a.host.bootAt!) - (Date.now() - os.uptime() * 1000))).toBeLessThanOrEqual(61_000);
  });
});
