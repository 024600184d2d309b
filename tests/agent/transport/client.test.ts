// The agent's HTTP client over node:http against a local server: collector errors keep their code and lastSeq,
// an unreachable, silent or flooding collector becomes a TransportError with the cause, and consecutive reports
// reuse one keep-alive connection. TLS pinning is covered by tests/security/tls.test.ts.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CollectorError, sendSigned, TransportError } from '../../../agent/transport/client.js';
import { HEADER_AGENT, HEADER_SEQ, HEADER_SIGNATURE } from '../../../protocol/signing.js';

const { privateKey } = generateKeyPairSync('ed25519');
let handler: (req: IncomingMessage, body: string, res: ServerResponse) => void = () => {};
const connections = new Set<unknown>();
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (d: Buffer) => (body += d.toString()));
  req.on('end', () => handler(req, body, res));
});
server.on('connection', (s) => connections.add(s));
let url = '';

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const send = (seq: number, timeoutMs?: number) => sendSigned({ serverUrl: url, ...(timeoutMs ? { timeoutMs } : {}) }, 'agt_x', privateKey, seq, JSON.stringify({ kind: 'heartbeat', seq }));

describe('agent transport client', () => {
  it('posts a signed report and reuses one keep-alive connection for the next', async () => {
    const seen: IncomingMessage[] = [];
    handler = (req, body, res) => {
      seen.push(req);
      expect(JSON.parse(body)).toMatchObject({ kind: 'heartbeat' });
      res.setHeader('content-type', 'application/json').end(JSON.stringify({ accepted: true }));
    };
    connections.clear();
    expect(await send(1)).toEqual({ accepted: true });
    expect(await send(2)).toEqual({ accepted: true });
    expect(seen.map((r) => [r.method, r.url, r.headers[HEADER_AGENT], r.headers[HEADER_SEQ]])).toEqual([
      ['POST', '/api/v1/agents/agt_x/reports', 'agt_x', '1'],
      ['POST', '/api/v1/agents/agt_x/reports', 'agt_x', '2'],
    ]);
    expect(seen.every((r) => typeof r.headers[HEADER_SIGNATURE] === 'string')).toBe(true);
    expect(connections.size).toBe(1);
  });

  it('turns a collector refusal into a CollectorError with status, code, message and lastSeq', async () => {
    handler = (_req, _body, res) => res.writeHead(409, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 'replayed_sequence', message: 'seq 3 <= 7', lastSeq: 7 }));
    const err = await send(3).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CollectorError);
    expect(err).toMatchObject({ status: 409, code: 'replayed_sequence', message: 'seq 3 <= 7', lastSeq: 7 });
    handler = (_req, _body, res) => res.writeHead(502).end('<html>bad gateway</html>');
    expect(await send(4).catch((e: unknown) => e)).toMatchObject({ status: 502, code: 'http_502', message: '<html>bad gateway</html>' });
  });

  it('gives up on a collector that does not answer in time', async () => {
    handler = () => {};
    const err = await send(5, 300).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as Error).message).toMatch(/did not answer within 300 ms/);
  });

  it('refuses an answer far larger than any collector answer', async () => {
    handler = (_req, _body, res) => res.end('x'.repeat(2 * 1024 * 1024));
    const err = await send(6).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as Error).message).toMatch(/larger than/);
  });

  it('reports an unreachable collector with the socket error as the cause', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const err = await sendSigned({ serverUrl: `http://127.0.0.1:${port}` }, 'agt_x', privateKey, 1, '{}').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as Error).message).toMatch(/cannot reach the collector at http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/);
    expect((err as { cause?: { code?: string } }).cause?.code).toBe('ECONNREFUSED');
  });
});
