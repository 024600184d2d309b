// How a webhook receiver verifies that a POST came from this collector.
//
//   X-Soclite-Timestamp: <unix seconds when signed>
//   X-Soclite-Signature: hmac-sha256=<lower-case hex>      (shared secret)
//                    or: ed25519=<base64>                   (collector's Ed25519 private key; verify with the public key)
//
// The signed bytes are ASCII `<timestamp>` + "." + the raw request body, exactly as received. Receivers must
// recompute over the raw body (not re-serialised JSON), compare in constant time, and reject timestamps
// outside their tolerance (default 300 s) to stop replays. Each event's OCSF metadata.uid is stable, so a
// receiver that sees a retry deduplicates on it. With openssl: the Ed25519 signature verifies with
// `openssl pkeyutl -verify -pubin -inkey pub.pem -rawin -in signed.bin -sigfile sig.bin`.
import { createHmac, sign, timingSafeEqual, verify, type KeyObject } from 'node:crypto';

export const TIMESTAMP_HEADER = 'x-soclite-timestamp';
export const SIGNATURE_HEADER = 'x-soclite-signature';

export type WebhookSigner = { algorithm: 'hmac-sha256'; secret: Buffer } | { algorithm: 'ed25519'; privateKey: KeyObject };
export type WebhookVerifier = { algorithm: 'hmac-sha256'; secret: Buffer } | { algorithm: 'ed25519'; publicKey: KeyObject };

function signedBytes(timestamp: string, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${timestamp}.`, 'ascii'), body]);
}

export function signWebhook(body: Buffer, signer: WebhookSigner, nowSeconds: number): Record<string, string> {
  const timestamp = String(Math.floor(nowSeconds));
  const data = signedBytes(timestamp, body);
  const signature =
    signer.algorithm === 'hmac-sha256'
      ? `hmac-sha256=${createHmac('sha256', signer.secret).update(data).digest('hex')}`
      : `ed25519=${sign(null, data, signer.privateKey).toString('base64')}`;
  return { [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: signature };
}

/** Receiver side: returns null when valid, otherwise the reason it is not. */
export function verifyWebhook(
  headers: Record<string, string | string[] | undefined>,
  body: Buffer,
  verifier: WebhookVerifier,
  nowSeconds: number,
  toleranceSeconds = 300,
): string | null {
  const timestamp = headers[TIMESTAMP_HEADER];
  const signature = headers[SIGNATURE_HEADER];
  if (typeof timestamp !== 'string' || !/^\d{1,12}$/.test(timestamp)) return 'missing or malformed timestamp header';
  if (typeof signature !== 'string') return 'missing signature header';
  if (Math.abs(nowSeconds - Number(timestamp)) > toleranceSeconds) return 'timestamp outside tolerance';
  const data = signedBytes(timestamp, body);
  const [scheme, value] = [signature.slice(0, signature.indexOf('=')), signature.slice(signature.indexOf('=') + 1)];
  if (scheme !== verifier.algorithm) return `signature scheme ${scheme || '(none)'} is not the expected ${verifier.algorithm}`;
  if (verifier.algorithm === 'hmac-sha256') {
    const expected = createHmac('sha256', verifier.secret).update(data).digest();
    const given = /^[0-9a-f]{64}$/.test(value) ? Buffer.from(value, 'hex') : Buffer.alloc(0);
    return given.length === expected.length && timingSafeEqual(given, expected) ? null : 'signature mismatch';
  }
  return verify(null, data, verifier.publicKey, Buffer.from(value, 'base64')) ? null : 'signature mismatch';
}
