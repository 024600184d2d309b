// The worker-thread signature check must answer exactly as the in-thread check does, in order, for batches
// mixing good, forged and malformed signatures, and keep answering after the worker is gone.
import { afterAll, describe, expect, it } from 'vitest';
import { generateKeyPairSync, sign } from 'node:crypto';
import { SignatureVerifier } from '../../../collector/fleet/signature-verifier.js';
import { rawPublicKey, verifyEd25519 } from '../../../collector/fleet/keys.js';
import { postureHash } from '../../../protocol/index.js';
import { buildPosture, machineProfile } from '../../../scripts/simulate/profile.js';
import { Rng } from '../../../scripts/simulate/rng.js';
import { readReportTextHere, type ReportTextOutcome } from '../../../collector/fleet/report-text.js';
import { validateReport } from '../../../collector/http/report-validator.js';

const pairs = Array.from({ length: 8 }, () => generateKeyPairSync('ed25519'));
const verifier = new SignatureVerifier();
afterAll(() => verifier.close());

function cases() {
  const out: { key: string; msg: Buffer; sig: string; expected: boolean }[] = [];
  for (let i = 0; i < 400; i++) {
    const p = pairs[i % pairs.length]!;
    const msg = Buffer.from(`soclite-v1\nPOST\n/api/v1/agents/a${i}/reports\na${i}\n${i + 1}\n1700000000000\n${'0'.repeat(64)}`);
    const good = sign(null, msg, p.privateKey).toString('base64');
    const key = rawPublicKey(p.publicKey);
    switch (i % 5) {
      case 0:
        out.push({ key, msg, sig: good, expected: true });
        break;
      case 1: // signed by another agent's key
        out.push({ key, msg, sig: sign(null, msg, pairs[(i + 1) % pairs.length]!.privateKey).toString('base64'), expected: false });
        break;
      case 2: // one byte of the message changed after signing
        out.push({ key, msg: Buffer.concat([msg.subarray(0, -1), Buffer.from('1')]), sig: good, expected: false });
        break;
      case 3: // not a 64-byte signature
        out.push({ key, msg, sig: 'bm90IGEgc2lnbmF0dXJl', expected: false });
        break;
      default: // not a 32-byte key
        out.push({ key: 'c2hvcnQ=', msg, sig: good, expected: false });
    }
  }
  return out;
}

describe('signature verifier (worker thread)', () => {
  it('answers each of a mixed burst like the in-thread check, in order', async () => {
    const cs = cases();
    const answers = await Promise.all(cs.map((c) => verifier.verify(c.key, c.msg, c.sig)));
    expect(answers).toEqual(cs.map((c) => c.expected));
    expect(cs.map((c) => verifyEd25519(c.key, c.msg, c.sig))).toEqual(cs.map((c) => c.expected));
    expect(answers.filter(Boolean).length).toBe(80);
  });

  it('keeps answering on the event loop once its worker is gone', async () => {
    const v = new SignatureVerifier();
    const cs = cases().slice(0, 25);
    const pending = cs.map((c) => v.verify(c.key, c.msg, c.sig));
    await v.close(); // work queued before the close is answered too
    expect(await Promise.all(pending)).toEqual(cs.map((c) => c.expected));
    expect(await Promise.all(cs.map((c) => v.verify(c.key, c.msg, c.sig)))).toEqual(cs.map((c) => c.expected));
  });

  // The worker hashes a posture report's posture from its raw text; the answer must be the protocol's own hash
  // (the collector compares it with the agent's claim and the stored hash), for every platform the simulator
  // builds, and nothing for reports that hold no posture or are not JSON.
  it('hashes posture reports exactly like postureHash, on the worker and after it is gone', async () => {
    const p = pairs[0]!;
    const key = rawPublicKey(p.publicKey);
    const msg = 'soclite-v1\nPOST\n/api/v1/agents/a/reports\na\n1\n1700000000000\n' + '0'.repeat(64);
    const sig = sign(null, Buffer.from(msg), p.privateKey).toString('base64');
    const postures = Array.from({ length: 12 }, (_, i) => {
      const m = machineProfile('verifier-test', i);
      return buildPosture(m.profile, m.state, `agt_${i}`, i + 1, 1_700_000_000_000, Rng.from('verifier-test', i));
    });
    const texts = [
      ...postures.map((posture, i) => JSON.stringify({ kind: 'posture', seq: i + 1, postureHash: 'x', posture })),
      JSON.stringify({ kind: 'heartbeat', seq: 1, postureHash: null }),
      '{"kind":"posture","posture":',
      JSON.stringify({ kind: 'posture', posture: null }),
    ];
    const expected = [...postures.map((x) => postureHash(x)), undefined, undefined, undefined];
    expect(new Set(expected.slice(0, 12)).size).toBe(12);
    const lost: unknown[] = [];
    const v = new SignatureVerifier((err) => lost.push(err));
    const onWorker = await Promise.all(texts.map((t) => v.check({ publicKeyB64: key, message: msg, signatureB64: sig, postureReport: t })));
    expect(onWorker.map((r) => r.valid)).toEqual(texts.map(() => true));
    expect(onWorker.map((r) => r.postureHash)).toEqual(expected);
    // A forged signature is refused even though its posture is hashed.
    const forged = await v.check({ publicKeyB64: key, message: msg + 'x', signatureB64: sig, postureReport: texts[0] });
    expect(forged.valid).toBe(false);
    expect(lost).toEqual([]); // answered by the worker, not by the fallback
    await v.close();
    const here = await Promise.all(texts.map((t) => v.check({ publicKeyB64: key, message: msg, signatureB64: sig, postureReport: t })));
    expect(here.map((r) => r.postureHash)).toEqual(expected);
  });

  // Large report bodies are parsed, hashed and validated on the worker (fleet/report-text.ts). Its answers must
  // be what the event loop would find: the protocol's posture hash, the validator's message, and a refusal of
  // malformed or prototype-poisoning JSON as fastify's parser refuses it. Also for bodies posted to the worker
  // before it was lost (their bytes had been moved there), and after.
  it('reads report bodies like the event loop does, on the worker, in flight when it is lost, and after', async () => {
    const postures = Array.from({ length: 6 }, (_, i) => {
      const m = machineProfile('report-text-test', i);
      return buildPosture(m.profile, m.state, `agt_${i}`, i + 1, 1_700_000_000_000, Rng.from('report-text-test', i));
    });
    const missingHost = structuredClone(postures[0]!) as unknown as Record<string, unknown>;
    delete missingHost.host;
    const texts = [
      ...postures.map((posture, i) => JSON.stringify({ kind: 'posture', seq: i + 1, postureHash: postureHash(posture), posture })),
      JSON.stringify({ kind: 'heartbeat', seq: 9, postureHash: null }),
      JSON.stringify({ kind: 'posture', seq: 1, postureHash: 'a'.repeat(64), posture: missingHost }),
      JSON.stringify({ kind: 'posture', seq: 1, postureHash: 'a'.repeat(64), posture: postures[1], extra: 1 }),
      '{"kind":"posture","seq":1,"posture":',
      '{"kind":"heartbeat","seq":1,"postureHash":null,"__proto__":{"admin":true}}',
      '{"kind":"heartbeat","seq":1,"postureHash":null,"constructor":{"prototype":{"admin":true}}}',
      '[1,2]',
    ];
    const expected: ReportTextOutcome[] = [
      ...postures.map((p, i) => ({ kind: 'posture' as const, seq: i + 1, postureHash: postureHash(p), postureAgentId: `agt_${i}`, computedHash: postureHash(p) })),
      { kind: 'other' },
      { error: 'invalid', message: "body/posture must have required property 'host'" },
      { error: 'invalid', message: 'body has unknown field "extra"' },
      { error: 'json' },
      { error: 'json' },
      { error: 'json' },
      { error: 'invalid', message: 'body must be a JSON object' },
    ];
    // The messages are the event loop validator's own.
    for (const i of [7, 8, 12]) expect((validateReport(JSON.parse(texts[i]!)) as { error: Error }).error.message).toBe((expected[i] as { message: string }).message);
    expect(texts.map((t) => readReportTextHere(t))).toEqual(expected);

    const lost: unknown[] = [];
    const v = new SignatureVerifier((err) => lost.push(err));
    expect(await Promise.all(texts.map((t) => v.readReport(Buffer.from(t))))).toEqual(expected);
    expect(lost).toEqual([]);
    const inFlight = texts.map((t) => v.readReport(Buffer.from(t)));
    await new Promise((r) => setImmediate(r)); // posted: the worker holds the only copy of the bytes
    await v.close();
    expect(await Promise.all(inFlight)).toEqual(expected);
    expect(await Promise.all(texts.map((t) => v.readReport(Buffer.from(t))))).toEqual(expected);
  });
});
