// Limits come from configuration: a collector started with a tiny per-IP budget refuses the request past it,
// and the login lockout follows its configured failure count.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnCli, type CliProcess } from '../helpers/cli.js';

let collector: CliProcess;
let url: string;

beforeAll(async () => {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'soclite-limits-')), 'data');
  collector = spawnCli(['collector', '--data-dir', dataDir, '--port', '0'], {
    SOCLITE_AUTH_REQUESTSPERMINUTEPERIP: '6',
    SOCLITE_AUTH_LOGINFAILURESPERUSER: '2',
  });
  url = (await collector.waitForLine(/^URL: (\S+)$/m))[1]!;
});

afterAll(async () => {
  await collector?.kill('SIGTERM');
});

describe('configured limits', () => {
  it('locks a username after the configured number of failed logins', async () => {
    const login = () =>
      fetch(new URL('/api/v1/session', url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'wrong-password-123' }) });
    expect((await login()).status).toBe(401);
    expect((await login()).status).toBe(401);
    const locked = await login();
    expect([423, 429]).toContain(locked.status);
    expect(((await locked.json()) as { message: string }).message).toMatch(/lock|try again/i);
  });

  it('refuses requests from one IP past the configured per-minute budget with 429', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await fetch(new URL('/api/v1/agents', url))).status);
    expect(statuses).toContain(429);
    expect(statuses.filter((s) => s !== 429).length).toBeLessThanOrEqual(6);
  });
});
