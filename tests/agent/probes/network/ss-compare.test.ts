// The /proc/net reader must see exactly the listening sockets iproute2's `ss -tulnH` sees on this machine.
// The test opens its own TCP/UDP, IPv4/IPv6, loopback/wildcard listeners so the comparison covers every table.
import { execFileSync } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realHost } from '../../../../agent/probes/host-access.js';
import { readListeningSockets } from '../../../../agent/probes/network/linux.js';
import { readProcessSnapshot } from '../../../../agent/probes/linux-processes.js';
import { ProbeErrors } from '../../../../agent/probes/probe-errors.js';
import { parseSs } from '../../../../agent/probes/network/ss.js';

const key = (s: { proto: string; address: string; port: number }) => `${s.proto} ${s.address} ${s.port}`;
const ssSet = () => new Set(parseSs(execFileSync('ss', ['-tulnH'], { encoding: 'utf8' })).map(key));

describe('listening sockets from /proc/net match ss -tulnH', () => {
  const tcp: net.Server[] = [];
  const udp: dgram.Socket[] = [];
  const ports: Record<string, number> = {};

  beforeAll(async () => {
    for (const host of ['127.0.0.1', '::', '0.0.0.0', '::1']) {
      const srv = net.createServer();
      await new Promise<void>((r) => srv.listen(0, host, () => r()));
      tcp.push(srv);
      ports[`tcp ${host}`] = (srv.address() as net.AddressInfo).port;
    }
    for (const [type, host] of [
      ['udp4', '0.0.0.0'],
      ['udp4', '127.0.0.1'],
      ['udp6', '::1'],
    ] as const) {
      const s = dgram.createSocket(type);
      await new Promise<void>((r) => s.bind(0, host, () => r()));
      udp.push(s);
      ports[`udp ${host}`] = s.address().port;
    }
  });
  afterAll(async () => {
    await Promise.all(tcp.map((s) => new Promise((r) => s.close(r))));
    udp.forEach((s) => s.close());
  });

  it('sees the same (proto, address, port) set, including the test listeners', async () => {
    // Other test files open and close sockets while this runs. A difference that involves a socket another
    // process opened or closed between the reads is retried; a real decoding difference persists.
    let missing: string[] = [];
    let extra: string[] = [];
    let ours = new Set<string>();
    for (let attempt = 0; attempt < 5; attempt++) {
      const before = ssSet();
      const host = realHost();
      const mine = await readListeningSockets(host, await readProcessSnapshot(host, true), new ProbeErrors());
      const after = ssSet();
      ours = new Set(mine.map(key));
      const stable = [...before].filter((k) => after.has(k));
      const seenByEither = new Set([...before, ...after]);
      missing = stable.filter((k) => !ours.has(k));
      extra = [...ours].filter((k) => !seenByEither.has(k));
      if (!missing.length && !extra.length) break;
    }
    expect(missing).toEqual([]);
    expect(extra).toEqual([]);
    for (const [k, port] of Object.entries(ports)) {
      const [proto, addr] = k.split(' ');
      // Node binds "::" dual-stack; both tools report it as "::" (ss prints "*", which parseSs maps to "::").
      expect(ours.has(`${proto} ${addr} ${port}`), `${k}:${port}`).toBe(true);
    }
  });

  it('names this test process as the owner and marks loopback as not exposed', async () => {
    const host = realHost();
    const mine = await readListeningSockets(host, await readProcessSnapshot(host, true), new ProbeErrors());
    const loop = mine.find((s) => s.proto === 'tcp' && s.address === '127.0.0.1' && s.port === ports['tcp 127.0.0.1']);
    expect(loop?.exposed).toBe(false);
    expect(loop?.pid).toBe(process.pid);
    const wild = mine.find((s) => s.proto === 'udp' && s.address === '0.0.0.0' && s.port === ports['udp 0.0.0.0']);
    expect(wild?.exposed).toBe(true);
    const v6loop = mine.find((s) => s.proto === 'udp' && s.address === '::1' && s.port === ports['udp ::1']);
    expect(v6loop?.exposed).toBe(false);
  });
});
