// Text forms of IP addresses exactly as glibc inet_ntop prints them (and so as `ss` prints them), so that
// sockets read from /proc compare equal to the ones other tools show.

/** IPv4 from four bytes in network order. */
export function ipv4Text(bytes: ArrayLike<number>): string {
  return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
}

/**
 * IPv6 from 16 bytes in network order, following glibc inet_ntop6: the longest run (first on a tie) of two or
 * more zero words becomes "::", words are lower-case hex without leading zeros, and IPv4-mapped (::ffff:a.b.c.d)
 * and IPv4-compatible (::a.b.c.d, not :: or ::1) addresses end in dotted quad.
 */
export function ipv6Text(bytes: ArrayLike<number>): string {
  if (bytes.length !== 16) throw new Error(`an IPv6 address has 16 bytes, got ${bytes.length}`);
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  let bestBase = -1;
  let bestLen = 0;
  let curBase = -1;
  let curLen = 0;
  for (let i = 0; i < 8; i++) {
    if (words[i] === 0) {
      if (curBase === -1) {
        curBase = i;
        curLen = 1;
      } else curLen++;
      if (curLen > bestLen) {
        bestBase = curBase;
        bestLen = curLen;
      }
    } else curBase = -1;
  }
  if (bestLen < 2) bestBase = -1;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase !== -1 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && words[5] === 0xffff))) {
      out += ipv4Text([bytes[12] ?? 0, bytes[13] ?? 0, bytes[14] ?? 0, bytes[15] ?? 0]);
      break;
    }
    out += (words[i] ?? 0).toString(16);
  }
  if (bestBase !== -1 && bestBase + bestLen === 8) out += ':';
  return out;
}

/** Loopback: 127.0.0.0/8, ::1, and IPv4-mapped loopback. Such sockets cannot be reached from other hosts. */
export function isLoopback(address: string): boolean {
  const a = address.toLowerCase();
  if (a === '::1') return true;
  const v4 = a.startsWith('::ffff:') ? a.slice(7) : a;
  return /^127\.\d+\.\d+\.\d+$/.test(v4);
}
