// The agent's report sender: sessions by default against a real collector (re-opened after the collector
// restarts and forgets them, the report delivered once re-authenticated), Ed25519 per report when told so or
// when the collector is an older one without the sessions route (asked again after an hour).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { loadConfig } from '../../../collector/config/load.js';
import { startCollector, type RunningCollector } from '../../../collector/server.js';
import { ReportSender, SESSIONLESS_RETRY_MS } from '../../../agent/transport/report-sender.js';
import { TransportError } from '../../../agent/transport/client.js';
import { HEADER_SESSION, HEADER_SIGNATURE } from '../../../protocol/signing.js';
import { enrollDirect } from '../../helpers/enroll.js';

const heartbeat = (seq: number) => JSON.stringify({ kind: 'heartbeat', seq, postureHash: null });
const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

async function collectorOn(dataDir: string, port: number): Promise<RunningCollector> {
  const c = await startCollector(loadConfig({ dataDir, host: '127.0.0.1', port }, {}), pino({ level: 'silent' }));
  return c;
}

/**
 * The keep-alive socket to the stopped collector may be reset on first use after the restart: the agent's run
 * loop retries such a transport error with backoff; this does the same, at once.
 */
async function sendRetryingTransport(sender: ReportSender, seq: number, body: string) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await sender.send(seq, body);
    } catch (err) {
      if (!(err instanceof TransportError) || attempt === 3) throw err;
    }
  }
}

describe('report sender against a real collector', () => {
  it('opens a session, and after a collector restart re-opens it and delivers the report', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'soclite-sender-')), 'data');
    let c = await collectorOn(dataDir, 0);
    const port = Number(new URL(c.url).port);
    const agent = enrollDirect(c, 'sender-host');
    const sender = new ReportSender({ serverUrl: c.url }, agent.id, agent.privateKey);
    expect(await sender.send(1, heartbeat(1))).toMatchObject({ accepted: true, seq: 1 });
    const first = sender.sessionId;
    expect(first).toBeDefined();
    expect(c.service.sessions.size).toBe(1);
    expect(await sender.send(2, heartbeat(2))).toMatchObject({ accepted: true, seq: 2 });
    expect(sender.sessionId).toBe(first);

    await c.close();
    c = await collectorOn(dataDir, port);
    cleanup.push(() => c.close());
    expect(c.service.sessions.size).toBe(0);
    expect(await sendRetryingTransport(sender, 3, heartbeat(3))).toMatchObject({ accepted: true, seq: 3 });
    expect(sender.sessionId).toBeDefined();
    expect(sender.sessionId).not.toBe(first);
    expect(c.store.agents.get(agent.id)).toMatchObject({ lastSeq: 3, seqGaps: 0 });

    // Signing every report with Ed25519 still works against the same collector, and opens nothing.
    const plain = new ReportSender({ serverUrl: c.url }, agent.id, agent.privateKey, { sessions: false });
    expect(await plain.send(4, heartbeat(4))).toMatchObject({ accepted: true, seq: 4 });
    expect(plain.sessionId).toBeUndefined();
    expect(c.service.sessions.size).toBe(1);
  });
});

describe('report sender against an older collector', () => {
  it('signs with Ed25519 when the sessions route is missing, and asks again after an hour', async () => {
    const seen: { url: string; session: boolean; signed: boolean }[] = [];
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      req.resume();
      req.on('end', () => {
        seen.push({ url: req.url ?? '', session: req.headers[HEADER_SESSION] !== undefined, signed: typeof req.headers[HEADER_SIGNATURE] === 'string' });
        if (req.url?.endsWith('/sessions')) return res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 'not_found', message: 'Route not found' }));
        res.setHeader('content-type', 'application/json').end(JSON.stringify({ accepted: true, seq: 1, needPosture: false }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanup.push(async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    });
    let now = Date.now();
    const { privateKey } = (await import('node:crypto')).generateKeyPairSync('ed25519');
    const sender = new ReportSender({ serverUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }, 'agt_x', privateKey, { now: () => now });
    await sender.send(1, heartbeat(1));
    await sender.send(2, heartbeat(2));
    now += SESSIONLESS_RETRY_MS;
    await sender.send(3, heartbeat(3));
    expect(seen.map((s) => [s.url.split('/').pop(), s.session, s.signed])).toEqual([
      ['sessions', false, true],
      ['reports', false, true],
      ['reports', false, true],
      ['sessions', false, true],
      ['reports', false, true],
    ]);
  });
});
