// Pure parser for `netstat -rn` routing tables on AIX, HP-UX, BSD and macOS: the default gateways. Header
// lines are localised on some systems (AIX in French prints "Tables de routage"), so only data rows are read:
// a row whose destination is "default", "default/0.0.0.0" or "0.0.0.0" and whose gateway is an IP address.
export interface RouteTable {
  defaultGateways: { gateway: string; interface?: string }[];
  routes: number;
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

export function parseNetstatRn(text: string): RouteTable {
  const defaultGateways: RouteTable['defaultGateways'] = [];
  let routes = 0;
  let sawHeader = false;
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (/^(Destination|Dest\/Netmask)$/.test(f[0] ?? '')) {
      sawHeader = true;
      continue;
    }
    if (f.length < 3 || !/^[A-Z]+[a-zA-Z]*$/.test(f[2] ?? '')) continue;
    routes++;
    const dest = f[0]!;
    const gw = f[1]!;
    if ((dest === 'default' || dest === 'default/0.0.0.0' || dest === '0.0.0.0' || dest === '0.0.0.0/0') && (IPV4.test(gw) || gw.includes(':'))) {
      // The interface is the first column after the flags that looks like an interface name.
      const iface = f.slice(3).find((x) => /^[a-z]+\d+(:\d+)?$/.test(x));
      defaultGateways.push({ gateway: gw, ...(iface ? { interface: iface } : {}) });
    }
  }
  if (!sawHeader || routes === 0) throw new Error('not netstat -rn output: no "Destination" header with route rows');
  return { defaultGateways, routes };
}
