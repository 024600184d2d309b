// Pure parser for `ss -tulnH` / `ss -tulnpH` (iproute2). Used as a fallback source and as the independent
// witness the /proc reader is tested against. Columns: Netid State Recv-Q Send-Q Local:Port Peer:Port [Process].
export interface SsSocket {
  proto: 'tcp' | 'udp';
  state: string;
  address: string;
  /** Interface the socket is bound to (the %dev suffix), when any. */
  device?: string;
  port: number;
  processes: { name: string; pid: number }[];
}

/** Split "addr:port", "[v6]:port", "*:port", "127.0.0.53%lo:53" into parts. `*` is the wildcard. */
export function splitEndpoint(ep: string): { address: string; device?: string; port: number } {
  const m = /^(\[[^\]]+\]|[^\s]*?):(\d+|\*)$/.exec(ep);
  if (!m) throw new Error(`not an address:port: ${JSON.stringify(ep.slice(0, 80))}`);
  let host = m[1]!;
  if (host.startsWith('[')) host = host.slice(1, -1);
  let device: string | undefined;
  const pct = host.indexOf('%');
  if (pct >= 0) {
    device = host.slice(pct + 1);
    host = host.slice(0, pct);
  }
  // ss prints "*" for an IPv6 wildcard socket that also accepts IPv4 (v6only off); /proc shows it as "::".
  if (host === '*') host = '::';
  const port = m[2] === '*' ? 0 : Number(m[2]);
  return device === undefined ? { address: host, port } : { address: host, device, port };
}

export function parseSs(text: string): SsSocket[] {
  const out: SsSocket[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    if (/^Netid\s+State/.test(line)) continue; // a header, when -H was not given
    const f = line.split(/\s+/);
    const proto = f[0];
    if ((proto !== 'tcp' && proto !== 'udp') || f.length < 6) {
      throw new Error(`line ${i + 1}: expected "tcp|udp STATE RECVQ SENDQ LOCAL PEER", got ${JSON.stringify(line.slice(0, 80))}`);
    }
    const local = splitEndpoint(f[4]!);
    const rest = f.slice(6).join(' ');
    const processes: { name: string; pid: number }[] = [];
    for (const pm of rest.matchAll(/\("((?:[^"\\]|\\.)*)",pid=(\d+)/g)) processes.push({ name: pm[1]!, pid: Number(pm[2]) });
    out.push({ proto, state: f[1]!, ...local, processes });
  }
  return out;
}
