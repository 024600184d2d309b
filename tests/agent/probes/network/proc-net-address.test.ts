// /proc/net/tcp6 stores an IPv6 address as four 32-bit words, each in host (little-endian) byte order. The
// property: for any 16 bytes, writing them the way the kernel does and decoding gives the same address,
// printed in the canonical form (checked against the WHATWG URL serialiser, which follows RFC 5952 too).
import fc from 'fast-check';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { decodeHexEndpoint, parseProcNet } from '../../../../agent/probes/network/proc-net.js';
import { ipv6Text } from '../../../../agent/probes/network/ip-text.js';

/** The kernel's "%08X%08X%08X%08X" of the four s6_addr32 words, as read on a little-endian host. */
function kernelHex(bytes: number[]): string {
  let out = '';
  for (let w = 0; w < 16; w += 4) out += [bytes[w + 3], bytes[w + 2], bytes[w + 1], bytes[w]].map((b) => b!.toString(16).padStart(2, '0').toUpperCase()).join('');
  return out;
}

/** Expand any IPv6 text (with :: and dotted tail) to 16 bytes. */
function toBytes(addr: string): number[] {
  let a = addr;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (dotted) {
    const q = dotted[1]!.split('.').map(Number);
    a = a.slice(0, -dotted[1]!.length) + `${((q[0]! << 8) | q[1]!).toString(16)}:${((q[2]! << 8) | q[3]!).toString(16)}`;
  }
  const [head, tail] = a.split('::');
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail ? tail.split(':') : [];
  const words = tail !== undefined ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  return words.flatMap((w) => [parseInt(w, 16) >> 8, parseInt(w, 16) & 0xff]);
}

const bytes16 = fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 16, maxLength: 16 });
// Zero runs make the "::" compression interesting: bias towards zero bytes.
const sparse = fc.array(fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 255 })), { minLength: 16, maxLength: 16 });

describe('IPv6 decoding of /proc/net/tcp6', () => {
  it('round-trips any address through the kernel encoding (property)', () => {
    fc.assert(
      fc.property(fc.oneof(bytes16, sparse), fc.integer({ min: 0, max: 65535 }), (b, port) => {
        const [addr, p] = decodeHexEndpoint(`${kernelHex(b)}:${port.toString(16).toUpperCase().padStart(4, '0')}`);
        expect(p).toBe(port);
        expect(net.isIPv6(addr)).toBe(true);
        expect(toBytes(addr)).toEqual(b);
        const embedsV4 = b.slice(0, 10).every((x) => x === 0) && ((b[10] === 0xff && b[11] === 0xff) || (b[10] === 0 && b[11] === 0 && !b.slice(12, 15).every((x) => x === 0)));
        if (!embedsV4) expect(addr).toBe(new URL(`http://[${addr}]/`).hostname.slice(1, -1));
      }),
      { numRuns: 2000 },
    );
  });

  it('decodes the kernel documentation examples and the special forms', () => {
    expect(decodeHexEndpoint('0100007F:0016')).toEqual(['127.0.0.1', 22]);
    expect(decodeHexEndpoint('00000000000000000000000001000000:0050')).toEqual(['::1', 80]);
    expect(decodeHexEndpoint('00000000000000000000000000000000:1F90')).toEqual(['::', 8080]);
    expect(decodeHexEndpoint('0000000000000000FFFF00000100007F:0035')).toEqual(['::ffff:127.0.0.1', 53]);
    expect(decodeHexEndpoint('000080FE00000000FF00FC00010000FE:0222')).toEqual(['fe80::fc:ff:fe00:1', 546]);
    expect(ipv6Text([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1])).toBe('2001:db8::1:0:0:1');
  });

  it('refuses malformed tables and endpoints', () => {
    expect(() => decodeHexEndpoint('0100007G:0016')).toThrow(/endpoint/);
    expect(() => decodeHexEndpoint('0100007F:16')).toThrow(/endpoint/);
    expect(() => parseProcNet('garbage\n', 'tcp')).toThrow(/header/);
    expect(() => parseProcNet('  sl  local_address rem_address   st\n   0: 0100007F:0016\n', 'tcp')).toThrow(/line 2/);
  });
});
