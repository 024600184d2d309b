// Forwarder benchmark against a real rsyslog on loopback: alert raised (outbox commit) -> received by rsyslog
// latency (rsyslog's own reception timestamp, same clock), and forwarder throughput over TCP and TLS; first the
// delivery engine alone, then through the REAL collector (a child process configured with a syslog
// destination) fed by a protocol-level agent sending signed malware_detected events.
// Usage: npx tsx scripts/bench/forward.ts [--quick]   (npm run bench:forward -- --quick)
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hostileEvent, makeEvent } from '../../tests/forward/helpers/events.js';
import { makeEngine, openOutbox, syslogDestination, waitUntil } from '../../tests/forward/helpers/engine.js';
import { RsyslogReceiver } from '../../tests/forward/helpers/rsyslog.js';
import { collectorLatency, collectorThroughput } from './forward-collector.js';

const quick = process.argv.includes('--quick');
const LATENCY_EVENTS = quick ? 200 : 1000;
const RATE_PER_S = 50;
const THROUGHPUT_EVENTS = quick ? 5000 : 50_000;

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function latency(dir: string, tls: boolean) {
  const rs = await RsyslogReceiver.create(path.join(dir, `lat-${tls}`), { tls });
  await rs.start();
  const { db, queue } = openOutbox(path.join(dir, `lat-${tls}.db`));
  const { engine } = makeEngine(queue, [syslogDestination(rs.port, tls ? { tls: true, ca: rs.pki!.caFile, servername: 'localhost' } : {})]);
  engine.start();
  const raisedAt = new Map<string, number>();
  for (let i = 0; i < LATENCY_EVENTS; i++) {
    const e = i % 10 === 0 ? hostileEvent(i) : makeEvent(i);
    db.transaction(() => engine.enqueue(e))();
    raisedAt.set(e.eventId, Date.now());
    await new Promise((r) => setTimeout(r, 1000 / RATE_PER_S));
  }
  await waitUntil(() => queue.depth('soc') === 0, 'latency run drained', 120_000);
  await engine.stop();
  await rs.stop();
  db.close();
  const lat = rs
    .records()
    .map((r) => {
      const id = r['$!']?.['rfc5424-sd']?.['soclite@32473']?.['eventId'];
      const raised = id ? raisedAt.get(id) : undefined;
      return raised === undefined ? NaN : Date.parse(String(r['timegenerated'])) - raised;
    })
    .filter((x) => !Number.isNaN(x))
    .sort((a, b) => a - b);
  return { n: lat.length, p50: pct(lat, 50), p95: pct(lat, 95), max: lat[lat.length - 1]! };
}

async function throughput(dir: string, tls: boolean) {
  const rs = await RsyslogReceiver.create(path.join(dir, `thr-${tls}`), { tls });
  await rs.start();
  const { db, queue } = openOutbox(path.join(dir, `thr-${tls}.db`));
  const { engine } = makeEngine(queue, [syslogDestination(rs.port, { batchSize: 500, ...(tls ? { tls: true, ca: rs.pki!.caFile, servername: 'localhost' } : {}) })]);
  const t0 = performance.now();
  db.transaction(() => {
    for (let i = 0; i < THROUGHPUT_EVENTS; i++) engine.enqueue(i % 10 === 0 ? hostileEvent(i) : makeEvent(i));
  })();
  const enqueueMs = performance.now() - t0;
  const t1 = performance.now();
  engine.start();
  await waitUntil(() => queue.depth('soc') === 0, 'throughput run drained', 600_000);
  const sendMs = performance.now() - t1;
  await engine.stop();
  await rs.stop();
  const received = rs.records().length;
  db.close();
  return { enqueuePerS: Math.round(THROUGHPUT_EVENTS / (enqueueMs / 1000)), sendPerS: Math.round(THROUGHPUT_EVENTS / (sendMs / 1000)), received };
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'soclite-bench-forward-'));
try {
  console.log(`forward benchmark (${quick ? 'quick' : 'full'}): node ${process.version}, ${os.cpus().length} CPUs, rsyslog on loopback`);
  for (const tls of [false, true]) {
    const l = await latency(dir, tls);
    console.log(`latency ${tls ? 'TLS' : 'TCP'}: ${l.n} alerts at ${RATE_PER_S}/s, raised -> received by rsyslog p50 ${l.p50} ms, p95 ${l.p95} ms, max ${l.max} ms (target p95 < 2000 ms)`);
  }
  for (const tls of [false, true]) {
    const t = await throughput(dir, tls);
    console.log(`throughput ${tls ? 'TLS' : 'TCP'}: ${THROUGHPUT_EVENTS} alerts, enqueue ${t.enqueuePerS}/s (one transaction), delivered ${t.sendPerS}/s, rsyslog wrote ${t.received}`);
  }
  const c = await collectorLatency(dir, quick);
  console.log(
    `collector latency TCP: ${c.n} malware reports at ${c.ratePerS}/s through a collector process, report sent -> alert received by rsyslog p50 ${c.p50} ms, p95 ${c.p95} ms, max ${c.max} ms (target p95 < 2000 ms)`,
  );
  const ct = await collectorThroughput(dir, quick);
  console.log(
    `collector throughput TCP: ${ct.alerts} alerts in reports of ${ct.perReport} events, ingested+alerted ${ct.ingestPerS}/s, all received by rsyslog at ${ct.endToEndPerS}/s (rsyslog wrote ${ct.received})`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
