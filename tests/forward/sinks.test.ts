// Webhook over real HTTPS (test CA) with signature verification on the receiving side, and the JSONL file
// sink's size-based rotation.
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { JsonlFileSink } from '../../collector/forward/sinks/jsonl-file.js';
import { WebhookSink } from '../../collector/forward/sinks/webhook.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyWebhook, type WebhookSigner, type WebhookVerifier } from '../../collector/forward/sinks/webhook-signature.js';
import { hostileEvent, makeEvent, PRODUCER } from './helpers/events.js';
import { makeTestPki } from './helpers/rsyslog.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'soclite-sinks-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function receiver(status: number) {
  const pki = makeTestPki(path.join(dir, `pki-${status}-${Math.random().toString(36).slice(2)}`));
  const bodies: Array<{ headers: Record<string, string | string[] | undefined>; body: Buffer }> = [];
  const server = https.createServer({ cert: readFileSync(pki.certFile), key: readFileSync(pki.keyFile) }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push({ headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { pki, bodies, url: `https://localhost:${port}/ingest`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('WebhookSink', () => {
  const ed = generateKeyPairSync('ed25519');
  const secret = randomBytes(32);
  const cases: Array<[string, WebhookSigner, WebhookVerifier]> = [
    ['hmac-sha256', { algorithm: 'hmac-sha256', secret }, { algorithm: 'hmac-sha256', secret }],
    ['ed25519', { algorithm: 'ed25519', privateKey: ed.privateKey }, { algorithm: 'ed25519', publicKey: ed.publicKey }],
  ];
  it.each(cases)('POSTs OCSF JSON the receiver can verify (%s)', async (_name, signer, verifier) => {
    const rx = await receiver(202);
    const sink = new WebhookSink({ url: rx.url, format: 'ocsf', producer: PRODUCER, signer, ca: Buffer.from(rx.pki.caPem), timeoutMs: 5000 });
    try {
      await sink.send([makeEvent(1), hostileEvent(2)]);
      expect(rx.bodies).toHaveLength(1);
      const { headers, body } = rx.bodies[0]!;
      const now = Date.now() / 1000;
      expect(verifyWebhook(headers, body, verifier, now)).toBeNull();
      const docs = JSON.parse(body.toString('utf8')) as Array<Record<string, unknown>>;
      expect(docs.map((d) => (d['metadata'] as Record<string, unknown>)['uid'])).toEqual(['evt-00000001', 'evt-00000002']);
      // Tampering, a wrong key and a stale timestamp are all refused.
      expect(verifyWebhook(headers, Buffer.concat([body, Buffer.from(' ')]), verifier, now)).toBe('signature mismatch');
      expect(verifyWebhook(headers, body, verifier, now + 3600)).toBe('timestamp outside tolerance');
      const wrong: WebhookVerifier = verifier.algorithm === 'hmac-sha256'
        ? { algorithm: 'hmac-sha256', secret: randomBytes(32) }
        : { algorithm: 'ed25519', publicKey: generateKeyPairSync('ed25519').publicKey };
      expect(verifyWebhook(headers, body, wrong, now)).toBe('signature mismatch');
      if (verifier.algorithm === 'ed25519') {
        // An independent verifier: OpenSSL checks the Ed25519 signature over "<timestamp>.<body>".
        const signed = path.join(dir, 'signed.bin');
        const sig = path.join(dir, 'sig.bin');
        const pub = path.join(dir, 'pub.pem');
        writeFileSync(signed, Buffer.concat([Buffer.from(`${String(headers[TIMESTAMP_HEADER])}.`), body]));
        writeFileSync(sig, Buffer.from(String(headers[SIGNATURE_HEADER]).replace(/^ed25519=/, ''), 'base64'));
        writeFileSync(pub, ed.publicKey.export({ type: 'spki', format: 'pem' }));
        const out = execFileSync('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', pub, '-rawin', '-in', signed, '-sigfile', sig]).toString();
        expect(out).toMatch(/Signature Verified Successfully/);
      }
    } finally {
      await sink.close();
      await rx.close();
    }
  });

  it('treats a non-2xx answer and an untrusted certificate as failures', async () => {
    const rx = await receiver(500);
    const signer: WebhookSigner = { algorithm: 'hmac-sha256', secret };
    const sink = new WebhookSink({ url: rx.url, format: 'ocsf', producer: PRODUCER, signer, ca: Buffer.from(rx.pki.caPem), timeoutMs: 5000 });
    const untrusted = new WebhookSink({ url: rx.url, format: 'ocsf', producer: PRODUCER, signer, timeoutMs: 5000 });
    try {
      await expect(sink.send([makeEvent(1)])).rejects.toThrow(/HTTP 500/);
      await expect(untrusted.send([makeEvent(1)])).rejects.toThrow(/certificate/i);
    } finally {
      await sink.close();
      await untrusted.close();
      await rx.close();
    }
  });
});

describe('JsonlFileSink', () => {
  it('appends one JSON document per line and rotates by size, keeping maxFiles old files', async () => {
    const file = path.join(dir, 'jsonl', 'alerts.jsonl');
    const sink = new JsonlFileSink({ path: file, format: 'json', producer: PRODUCER, maxFileBytes: 4096, maxFiles: 2 });
    const events = Array.from({ length: 60 }, (_, i) => hostileEvent(i));
    for (let i = 0; i < events.length; i += 7) await sink.send(events.slice(i, i + 7));
    const names = readdirSync(path.dirname(file)).sort();
    expect(names).toEqual(['alerts.jsonl', 'alerts.jsonl.1', 'alerts.jsonl.2']);
    const kept = [file, `${file}.1`, `${file}.2`].reverse().flatMap((f) => {
      const text = readFileSync(f, 'utf8');
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(4096);
      expect(text.endsWith('\n')).toBe(true);
      return text.trimEnd().split('\n').map((l) => (JSON.parse(l) as { eventId: string }).eventId);
    });
    // The newest events survive, in order, without gaps; the oldest rotated out.
    const tail = events.slice(events.length - kept.length).map((e) => e.eventId);
    expect(kept).toEqual(tail);
    expect(kept.length).toBeLessThan(events.length);
  });
});
