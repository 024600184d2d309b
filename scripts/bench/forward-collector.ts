// The forwarder measured through the real collector: a `soclite collector` child process with a YAML config
// whose forward.destinations has a syslog TCP destination to rsyslog on loopback, and a protocol-level agent
// (enrolled with its own key, signing every report) sending malware_detected events. Latency runs from the
// moment the report is sent (the alert commits before the collector answers, so this over- rather than
// under-states) to rsyslog's own reception timestamp of the alert's CEF message.
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import type { AgentEvent } from '../../protocol/index.js';
import { enroll } from '../../agent/transport/client.js';
import { newKeyPair } from '../../agent/transport/identity.js';
import { freePort, runCli, spawnCli, type CliProcess } from '../../tests/helpers/cli.js';
import { postSigned } from '../../tests/helpers/signed-requests.js';
import { RsyslogReceiver, type RsyslogRecord } from '../../tests/forward/helpers/rsyslog.js';
import { decodeCef } from '../../tests/forward/helpers/cef-decode.js';

interface Running {
  rs: RsyslogReceiver;
  collector: CliProcess;
  url: string;
  agentId: string;
  keys: ReturnType<typeof newKeyPair>;
  seq: number;
}

async function start(dir: string, name: string): Promise<Running> {
  const rs = await RsyslogReceiver.create(join(dir, `${name}-rsyslog`), { tls: false });
  await rs.start();
  const dataDir = join(dir, `${name}-data`);
  const configFile = join(dir, `${name}.yaml`);
  writeFileSync(
    configFile,
    stringify({
      server: { host: '127.0.0.1', port: await freePort() },
      storage: { dataDir },
      forward: { destinations: [{ name: 'soc', type: 'syslog', host: '127.0.0.1', port: rs.port, format: 'cef' }] },
    }),
  );
  const collector = spawnCli(['collector', '--config', configFile], { SOCLITE_LOG_LEVEL: 'warn' });
  const url = (await collector.waitForLine(/^URL: (\S+)$/m))[1]!;
  const t = await runCli(['token', 'create', '--unit', 'default', '--data-dir', dataDir]);
  if (t.code !== 0) throw new Error(`token create failed: ${t.stderr}`);
  const token = t.stdout.trim().split('\n').pop()!;
  const keys = newKeyPair();
  const res = await enroll(
    { serverUrl: url },
    { token, publicKey: keys.publicKeyB64, agentVersion: 'bench', hostname: `bench-${name}`, hardwareId: `hw-bench-${name}-0001`, platform: 'linux' },
    keys.privateKey,
  );
  return { rs, collector, url, agentId: res.agentId, keys, seq: 0 };
}

async function stop(r: Running): Promise<void> {
  await r.collector.kill('SIGTERM');
  await r.rs.stop();
}

function malware(id: string, i: number): AgentEvent {
  return { id, type: 'malware_detected', at: new Date().toISOString(), data: { path: `/home/u/Downloads/sample-${i}.bin`, signature: 'Eicar-Test-Signature', product: 'ClamAV' } };
}

async function send(r: Running, events: AgentEvent[]): Promise<void> {
  r.seq++;
  const res = await postSigned(r.url, r.agentId, r.keys.privateKey, r.seq, JSON.stringify({ kind: 'events', seq: r.seq, events }));
  if (res.status !== 200) throw new Error(`report refused: ${res.status} ${JSON.stringify(res.body)}`);
}

/** The agent event id behind a received alert (alert details carry it as agentEventId). */
function agentEventIdOf(rec: RsyslogRecord): string | undefined {
  try {
    const details = JSON.parse(decodeCef(rec.msg.replace(/^\ufeff/, '')).extension.get('cs4') ?? '{}') as { agentEventId?: string };
    return details.agentEventId;
  } catch {
    return undefined;
  }
}

async function waitForRecords(rs: RsyslogReceiver, n: number, timeoutMs: number): Promise<RsyslogRecord[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const recs = rs.records();
    if (recs.length >= n) return recs;
    if (Date.now() > deadline) throw new Error(`only ${recs.length} of ${n} alerts reached rsyslog`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

export async function collectorLatency(dir: string, quick: boolean) {
  const n = quick ? 100 : 500;
  const ratePerS = 20;
  const r = await start(dir, 'lat');
  try {
    const sentAt = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const id = `bench-lat-${String(i).padStart(6, '0')}`;
      sentAt.set(id, Date.now());
      await send(r, [malware(id, i)]);
      await new Promise((res) => setTimeout(res, 1000 / ratePerS));
    }
    const recs = await waitForRecords(r.rs, n, 60_000);
    const lat = recs
      .map((rec) => {
        const id = agentEventIdOf(rec);
        const t = id ? sentAt.get(id) : undefined;
        return t === undefined ? NaN : Date.parse(String(rec['timegenerated'])) - t;
      })
      .filter((x) => !Number.isNaN(x))
      .sort((a, b) => a - b);
    return { n: lat.length, ratePerS, p50: pct(lat, 50), p95: pct(lat, 95), max: lat[lat.length - 1]! };
  } finally {
    await stop(r);
  }
}

export async function collectorThroughput(dir: string, quick: boolean) {
  const alerts = quick ? 2000 : 20_000;
  const perReport = 50;
  const r = await start(dir, 'thr');
  try {
    const t0 = performance.now();
    for (let i = 0; i < alerts; i += perReport) {
      const batch = Array.from({ length: perReport }, (_, k) => malware(`bench-thr-${String(i + k).padStart(7, '0')}`, i + k));
      await send(r, batch);
    }
    const ingestMs = performance.now() - t0;
    const recs = await waitForRecords(r.rs, alerts, 300_000);
    const totalMs = performance.now() - t0;
    return {
      alerts,
      perReport,
      ingestPerS: Math.round(alerts / (ingestMs / 1000)),
      endToEndPerS: Math.round(alerts / (totalMs / 1000)),
      received: recs.length,
    };
  } finally {
    await stop(r);
  }
}
