// Real receiver: Debian rsyslog on loopback (TCP, and TLS with a CA made at test time) must parse what we
// send as RFC 5424, and Debian's jc must read the CEF in MSG back to the values we put in.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeCef } from '../../collector/forward/encoders/cef.js';
import { SyslogSink } from '../../collector/forward/sinks/syslog.js';
import type { ForwardEvent } from '../../collector/forward/types.js';
import { hostileEvent, makeEvent, PRODUCER } from './helpers/events.js';
import { makeEngine, metricValue, openOutbox, syslogDestination, waitUntil } from './helpers/engine.js';
import { makeTestPki, RsyslogReceiver, type RsyslogRecord } from './helpers/rsyslog.js';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'soclite-fwd-'));
  dirs.push(d);
  return d;
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

// Hostile text jc can read back. jc 1.22 unescapes by sequential string replacement, so it mis-decodes a
// literal backslash followed by one of \ " ] | = % # n r, and it strips outer whitespace; its header regex
// refuses '=', '\' and '|' in header fields. Those cases are proven by the strict decoder in encoders.test.ts.
const JC_SAFE = 'x|y=z \\ C:\\Temp\\tệp ]"q" [a=b] dòng 1\ndòng 2\r\nTrịnh Văn Ánh 🛡️😀 end';

function jcEvent(i: number): ForwardEvent {
  return makeEvent(i, {
    title: { vi: `Mã độc: ${JC_SAFE}`, en: `Malware found: Trịnh "quoted" ] 🛡️ ${i}` },
    agent: { id: `agent-${i}|${JC_SAFE}`, hostname: `máy ${JC_SAFE}`, ips: ['192.0.2.7'], os: 'Windows 11' },
    unit: `Sở ${JC_SAFE}`,
  });
}

function sdOf(r: RsyslogRecord): Record<string, string> {
  return r['$!']?.['rfc5424-sd']?.['soclite@32473'] ?? {};
}

function jcCef(lines: string[]): Array<Record<string, unknown>> {
  return JSON.parse(execFileSync('jc', ['--cef'], { input: lines.join('\n') + '\n' }).toString()) as Array<Record<string, unknown>>;
}

describe.each([{ tls: false }, { tls: true }])('syslog to rsyslog (tls: $tls)', ({ tls }) => {
  it('delivers hostile alerts that rsyslog parses as RFC 5424 and jc reads back as the same CEF values', async () => {
    const dir = tempDir();
    const rs = await RsyslogReceiver.create(path.join(dir, 'rsyslog'), { tls });
    await rs.start();
    const { db, queue } = openOutbox(path.join(dir, 'outbox.db'));
    const { engine, registry } = makeEngine(queue, [
      syslogDestination(rs.port, tls ? { tls: true, ca: rs.pki!.caFile, servername: 'localhost' } : {}),
    ]);
    const events = [...[1, 2, 3].map(jcEvent), hostileEvent(4), makeEvent(5, { kind: 'exposed_service', severity: 'high' })];
    try {
      db.transaction(() => events.forEach((e) => engine.enqueue(e)))();
      engine.start();
      const records = await rs.waitForRecords(events.length);
      await waitUntil(() => queue.depth('soc') === 0, 'queue drained');
      expect(records).toHaveLength(events.length);
      const byId = new Map(records.map((r) => [sdOf(r)['eventId'], r]));
      for (const e of events) {
        const r = byId.get(e.eventId);
        expect(r, `record for ${e.eventId}`).toBeDefined();
        // rsyslog's RFC 5424 parser filled these, so it recognised the format:
        expect(r!['protocol-version']).toBe('1');
        expect(r!['app-name']).toBe('soclite');
        expect(r!.msgid).toBe(e.kind);
        expect(r!.hostname).toBe(PRODUCER.collectorHostname);
        expect(r!.procid).toBe('-');
        // mmpstrucdata un-escaped STRUCTURED-DATA back to the original values:
        expect(sdOf(r!)).toMatchObject({ eventId: e.eventId, kind: e.kind, agentId: e.agent.id, host: e.agent.hostname, unit: e.unit, level: String(e.level) });
        // MSG is BOM + our CEF, byte for byte:
        expect(r!.msg).toBe(`\ufeff${encodeCef(e, PRODUCER)}`);
      }
      const parsed = jcCef(events.slice(0, 3).map((e) => byId.get(e.eventId)!.msg.replace(/^\ufeff/, '')));
      for (const [i, e] of events.slice(0, 3).entries()) {
        expect(parsed[i]).toMatchObject({
          deviceVendor: 'soclite',
          deviceEventClassId: 'SOCLITE-1001',
          name: e.title.en,
          agentSeverityNum: 10,
          externalId: e.eventId,
          deviceExternalId: e.agent.id,
          dhost: e.agent.hostname,
          msg: e.title.vi,
          dst: '192.0.2.7',
          unit: e.unit,
          kind: e.kind,
          securityLevel: e.level,
          rt: String(Date.parse(e.occurredAt)),
        });
      }
      expect(await metricValue(registry, 'soclite_forwarder_events_sent_total')).toBe(events.length);
    } finally {
      await engine.stop();
      await rs.stop();
      db.close();
    }
  });
});

describe('syslog over TLS', () => {
  it('refuses a receiver whose certificate was not signed by the configured CA', async () => {
    const dir = tempDir();
    const rs = await RsyslogReceiver.create(path.join(dir, 'rsyslog'), { tls: true });
    await rs.start();
    const other = makeTestPki(path.join(dir, 'other'), 'other');
    const sink = new SyslogSink({
      host: '127.0.0.1', port: rs.port, tls: true, ca: other.caPem, servername: 'localhost', format: 'cef', producer: PRODUCER,
      facility: 16, appName: 'soclite', bom: true, maxMessageBytes: 8192, timeoutMs: 3000,
    });
    try {
      await expect(sink.send([makeEvent(1)])).rejects.toThrow(/certificate|self.signed|verify/i);
      expect(rs.records()).toHaveLength(0);
    } finally {
      await rs.stop();
    }
  });
});

describe('receiver outage', () => {
  it('delivers every alert raised while rsyslog was down once it is back', async () => {
    const dir = tempDir();
    const rs = await RsyslogReceiver.create(path.join(dir, 'rsyslog'), { tls: false });
    await rs.start();
    const { db, queue } = openOutbox(path.join(dir, 'outbox.db'));
    const { engine, registry } = makeEngine(queue, [syslogDestination(rs.port, { batchSize: 20 })]);
    engine.start();
    try {
      engine.enqueue(makeEvent(0));
      await rs.waitForRecords(1);
      await rs.stop();
      const raised = Array.from({ length: 200 }, (_, i) => makeEvent(i + 1, { kind: i % 2 ? 'av_unprotected' : 'agent_offline' }));
      for (const e of raised) db.transaction(() => engine.enqueue(e))();
      await waitUntil(async () => (await metricValue(registry, 'soclite_forwarder_events_failed_total')) > 0, 'failed attempts while down');
      expect(queue.depth('soc')).toBeGreaterThan(0);
      await new Promise((r) => setTimeout(r, 1000));
      await rs.start();
      await waitUntil(() => queue.depth('soc') === 0, 'backlog drained', 30_000);
      await rs.stop(); // flush rsyslog's queue to the file
      const ids = rs.records().map((r) => sdOf(r)['eventId']);
      const missing = [makeEvent(0), ...raised].filter((e) => !ids.includes(e.eventId));
      expect(missing).toEqual([]);
      expect(await metricValue(registry, 'soclite_forwarder_oldest_event_age_seconds')).toBe(0);
    } finally {
      await engine.stop();
      await rs.stop();
      db.close();
    }
  });
});
