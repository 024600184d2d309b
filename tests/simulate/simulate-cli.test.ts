// `soclite simulate` against a real collector child process: the virtual agents enroll through the real
// protocol, report postures the collector accepts, and the fleet is the same fleet for the same seed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiClient } from '../helpers/api.js';
import { freePort, runCli, spawnCli, waitFor, type CliProcess } from '../helpers/cli.js';
import { machineProfile } from '../../scripts/simulate/profile.js';

interface AgentItem {
  id: string;
  hostname: string;
  platform: string;
  postureHash: string | null;
  lastSeq: number;
}

let root: string;
let collector: CliProcess;
let url: string;
let api: ApiClient;
let tokenFile: string;
const SEED = 'test-seed-42';
const N = 20;

const listAgents = async () => {
  const r = await api.get<{ total: number; items: AgentItem[] }>('/api/v1/agents');
  if (r.status !== 200) throw new Error(`GET /api/v1/agents: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
};

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'soclite-sim-'));
  const dataDir = join(root, 'data');
  collector = spawnCli(['collector', '--data-dir', dataDir, '--port', String(await freePort())]);
  url = (await collector.waitForLine(/^URL: (\S+)$/m))[1]!;
  const password = (await collector.waitForLine(/^admin password: (\S+)$/m))[1]!;
  api = new ApiClient(url);
  await api.login('admin', password);
  const t = await runCli(['token', 'create', '--unit', 'default', '--max-uses', '100', '--data-dir', dataDir]);
  expect(t.code, t.stderr).toBe(0);
  tokenFile = join(root, 'token');
  writeFileSync(tokenFile, t.stdout.trim().split('\n').pop()! + '\n', { mode: 0o600 });
});

afterAll(async () => {
  await collector?.kill();
});

describe('soclite simulate', () => {
  const identityFile = () => join(root, 'identities.json');

  it('enrolls N agents that appear in GET /api/v1/agents with postures, the machines given by the seed', async () => {
    const sim = spawnCli([
      'simulate', '--agents', String(N), '--server', url, '--token-file', tokenFile, '--seed', SEED,
      '--heartbeat', '1', '--posture-every', '2', '--ramp', '1', '--report-every', '1', '--identity-file', identityFile(),
    ]);
    try {
      await sim.waitForLine(/^agents: 0 from the identity cache, 20 enrolled now$/m);
      const list = await waitFor('every simulated agent to have a posture', async () => {
        const l = await listAgents();
        return l.items.length === N && l.items.every((a) => a.postureHash !== null) ? l : undefined;
      });
      expect(list.total).toBe(N);
      // The same seed always gives the same machines: hostnames and platforms are those of the pure profile.
      const expected = Array.from({ length: N }, (_, i) => machineProfile(SEED, i).profile);
      expect(list.items.map((a) => `${a.hostname} ${a.platform}`).sort()).toEqual(expected.map((p) => `${p.hostname} ${p.platform}`).sort());
      // A realistic mix, not N copies of one machine.
      expect(new Set(expected.map((p) => p.platform)).size).toBeGreaterThan(1);

      const one = expected[3]!;
      const agent = list.items.find((a) => a.hostname === one.hostname)!;
      const detail = (await api.get<{ posture: { host: { os: { platform: string; name: string }; hardwareId: string }; av: { status: string } } }>(`/api/v1/agents/${agent.id}`)).body;
      expect(detail.posture.host.os).toMatchObject({ platform: one.platform, name: one.os.name });
      expect(detail.posture.host.hardwareId).toBe(one.hardwareId);
      expect(['protected', 'degraded', 'unprotected', 'unknown']).toContain(detail.posture.av.status);
    } finally {
      await sim.kill('SIGTERM');
    }
    const summary = JSON.parse(/^summary: (.*)$/m.exec(sim.stdout())![1]!) as { accepted: { enroll: number; posture: number }; errors: Record<string, number> };
    expect(summary.accepted.enroll).toBe(N);
    expect(summary.accepted.posture).toBeGreaterThanOrEqual(N);
    expect(summary.errors).toEqual({});
    // The cache holds private keys: owner-only.
    expect(statSync(identityFile()).mode & 0o077).toBe(0);
  });

  it('reuses the cached identities on a second run: no new enrollment, sequences continue', async () => {
    const before = await listAgents();
    const cached = JSON.parse(readFileSync(identityFile(), 'utf8')) as { agents: { agentId: string; seq: number }[] };
    expect(cached.agents).toHaveLength(N);
    const sim = spawnCli(['simulate', '--agents', String(N), '--server', url, '--seed', SEED, '--heartbeat', '1', '--ramp', '0.5', '--identity-file', identityFile()]);
    try {
      await sim.waitForLine(/^agents: 20 from the identity cache, 0 enrolled now$/m);
      await waitFor('heartbeats from the cached agents', async () => {
        const l = await listAgents();
        return l.items.every((a) => a.lastSeq > before.items.find((b) => b.id === a.id)!.lastSeq);
      });
    } finally {
      await sim.kill('SIGTERM');
    }
    const after = await listAgents();
    expect(after.total).toBe(N);
    expect(after.items.map((a) => a.id).sort()).toEqual(cached.agents.map((a) => a.agentId).sort());
    const summary = JSON.parse(/^summary: (.*)$/m.exec(sim.stdout())![1]!) as { errors: Record<string, number> };
    expect(summary.errors).toEqual({});
  });

  it('refuses a cache made for another seed instead of sending unknown agents', async () => {
    const r = await runCli(['simulate', '--agents', '2', '--server', url, '--seed', 'other', '--identity-file', identityFile(), '--duration', '0']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/belongs to server .* with seed "test-seed-42"/);
  });
});
