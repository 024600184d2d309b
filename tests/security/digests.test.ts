// Known answers for the digests the protocol is built on. Tests sign requests with the same sha256Hex and
// sessionMac the collector checks them with, so a wrong digest would pass every round trip unseen; these pin
// them to the published values (FIPS 180-2 examples, RFC 4231 test case 2).
import { describe, expect, it } from 'vitest';
import { sessionMac, sha256Hex } from '../../protocol/index.js';

describe('protocol digests', () => {
  it('sha256Hex gives the FIPS 180-2 values for text and bytes alike', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex(Buffer.from('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    // Multi-byte UTF-8 is hashed as UTF-8 (a Vietnamese hostname in a body).
    expect(sha256Hex('Sở')).toBe(sha256Hex(Buffer.from('Sở', 'utf8')));
  });

  it('sessionMac is HMAC-SHA256 (RFC 4231 test case 2), base64', () => {
    const mac = sessionMac(Buffer.from('Jefe'), 'what do ya want for nothing?');
    expect(Buffer.from(mac, 'base64').toString('hex')).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });
});
