// Pure parser for macOS `lsof -nP -iTCP -sTCP:LISTEN -iUDP -F pcPtn` (field output, lsof(8) "OUTPUT FOR
// OTHER PROGRAMS"): lines start with a field letter; p = pid (starts a process set), c = command, f = file
// descriptor (starts a file set), t = type (IPv4/IPv6), P = protocol, n = name ("*:22", "127.0.0.1:631", "[::1]:5432"; connected sockets show "a:1->b:2" and are skipped).
export interface LsofSocket {
  proto: 'tcp' | 'udp';
  address: string;
  port: number;
  pid: number;
  command: string;
}

export function parseLsofListen(text: string): LsofSocket[] {
  const out: LsofSocket[] = [];
  let pid: number | undefined;
  let command = '';
  let proto: 'tcp' | 'udp' | undefined;
  let family: 'IPv4' | 'IPv6' | undefined;
  let recognised = false;
  for (const line of text.split('\n')) {
    if (!line) continue;
    const tag = line[0];
    const v = line.slice(1);
    if (tag === 'p') {
      pid = Number(v);
      command = '';
      recognised = true;
    } else if (tag === 'c') command = v;
    else if (tag === 'f') {
      proto = undefined;
      family = undefined;
    } else if (tag === 't') family = v === 'IPv6' ? 'IPv6' : v === 'IPv4' ? 'IPv4' : undefined;
    else if (tag === 'P') proto = v === 'TCP' ? 'tcp' : v === 'UDP' ? 'udp' : undefined;
    else if (tag === 'n') {
      if (pid === undefined || !proto || v.includes('->')) continue;
      const m = /^(\[[^\]]+\]|[^:]+|\*):(\d+)$/.exec(v);
      if (!m) continue;
      let host = m[1]!.replace(/^\[|\]$/g, '');
      // lsof prints "*" for the wildcard of either family; the t field says which.
      if (host === '*') host = family === 'IPv6' ? '::' : '0.0.0.0';
      out.push({ proto, address: host, port: Number(m[2]), pid, command });
    } else throw new Error(`not lsof -F output: unexpected field "${line.slice(0, 20)}"`);
  }
  if (!recognised && text.trim()) throw new Error('not lsof -F output: no p<pid> line');
  return out;
}
