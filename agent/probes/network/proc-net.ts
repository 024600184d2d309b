// Pure parser for /proc/net/{tcp,tcp6,udp,udp6} (kernel Documentation/networking/proc_net_tcp.rst).
// Addresses are hex: IPv4 is one 32-bit word in host byte order (little-endian on x86/arm), IPv6 is four
// such words; ports are big-endian hex. We decode assuming a little-endian host, as every platform the agent
// ships for is; the socket table is read by the same kernel so no other order is possible on those hosts.
import { ipv4Text, ipv6Text } from './ip-text.js';

export interface ProcNetSocket {
  proto: 'tcp' | 'udp';
  family: 4 | 6;
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
  /** Kernel state number: 0x0A = TCP_LISTEN, 0x07 = TCP_CLOSE (an unconnected UDP socket). */
  state: number;
  uid: number;
  inode: number;
}

export const TCP_LISTEN = 0x0a;
export const TCP_CLOSE = 0x07;

/** Decode "0100007F:0016" (IPv4) or a 32-hex-digit IPv6 form into [address text, port]. */
export function decodeHexEndpoint(hex: string): [string, number] {
  const m = /^([0-9A-Fa-f]{8}|[0-9A-Fa-f]{32}):([0-9A-Fa-f]{4})$/.exec(hex);
  if (!m) throw new Error(`not a /proc/net endpoint: ${JSON.stringify(hex.slice(0, 60))}`);
  const addrHex = m[1]!;
  const port = parseInt(m[2]!, 16);
  const bytes: number[] = [];
  // Each 8-hex-digit group is one little-endian 32-bit word: reverse its bytes to get network order.
  for (let w = 0; w < addrHex.length; w += 8) {
    const word = addrHex.slice(w, w + 8);
    for (let b = 6; b >= 0; b -= 2) bytes.push(parseInt(word.slice(b, b + 2), 16));
  }
  return [bytes.length === 4 ? ipv4Text(bytes) : ipv6Text(bytes), port];
}

/** Parse one whole /proc/net file. `proto` comes from the file name; the family from the address width. */
export function parseProcNet(text: string, proto: 'tcp' | 'udp'): ProcNetSocket[] {
  const lines = text.split('\n');
  const header = lines[0] ?? '';
  if (!/^\s*sl\s+local_address\s+rem(?:ote)?_address\s+st\b/.test(header)) {
    throw new Error('not a /proc/net/tcp|udp table: the header line "sl local_address rem_address st ..." is missing');
  }
  const out: ProcNetSocket[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    const f = line.split(/\s+/);
    // sl local rem st tx:rx tr:when retrnsmt uid timeout inode ...
    if (f.length < 10 || !/^\d+:$/.test(f[0]!)) throw new Error(`line ${i + 1}: malformed socket entry`);
    const [localAddress, localPort] = decodeHexEndpoint(f[1]!);
    const [remoteAddress, remotePort] = decodeHexEndpoint(f[2]!);
    const state = parseInt(f[3]!, 16);
    const uid = Number(f[7]);
    const inode = Number(f[9]);
    if (!Number.isInteger(uid) || !Number.isInteger(inode) || Number.isNaN(state)) {
      throw new Error(`line ${i + 1}: malformed state, uid or inode`);
    }
    out.push({ proto, family: f[1]!.length > 13 ? 6 : 4, localAddress, localPort, remoteAddress, remotePort, state, uid, inode });
  }
  return out;
}

/**
 * The sockets `ss -tuln` calls listening: TCP in LISTEN, UDP unconnected (state CLOSE). A connected UDP socket
 * (state ESTABLISHED) is a client, not a service, and ss -l leaves it out too.
 */
export function isListening(s: ProcNetSocket): boolean {
  return s.proto === 'tcp' ? s.state === TCP_LISTEN : s.state === TCP_CLOSE;
}

const TABLE_HEADER = /^\s*sl\s+local_address\s+rem(?:ote)?_address\s+st\b/;

/**
 * Any of /proc/net/tcp, tcp6, udp or udp6, or several of them concatenated (`cat /proc/net/{tcp,udp}*`): each
 * header line starts a table. The protocol is read from the header, whose UDP form ends with the extra columns
 * "ref pointer drops" (net/ipv4/udp.c) that TCP's lacks; the family from the address width, as parseProcNet does.
 * (/proc/net/udplite and raw share UDP's header: they cannot be told apart from it, so do not feed them here.)
 */
export function parseProcNetAny(text: string): ProcNetSocket[] {
  const lines = text.split('\n');
  if (!TABLE_HEADER.test(lines[0] ?? '')) {
    throw new Error('not a /proc/net/tcp|tcp6|udp|udp6 table: the header line "sl local_address rem_address st ..." is missing');
  }
  const out: ProcNetSocket[] = [];
  let start = 0;
  for (let i = 1; i <= lines.length; i++) {
    if (i < lines.length && !TABLE_HEADER.test(lines[i]!)) continue;
    const header = lines[start]!;
    const proto = /\bref\s+pointer\s+drops\s*$/.test(header) ? 'udp' : 'tcp';
    try {
      out.push(...parseProcNet(lines.slice(start, i).join('\n'), proto));
    } catch (err) {
      // Line numbers in the message are relative to the table: make them the file's.
      throw new Error((err as Error).message.replace(/^line (\d+):/, (_, n: string) => `line ${Number(n) + start}:`));
    }
    start = i;
  }
  return out;
}
