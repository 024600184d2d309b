// A private CA and a server certificate for the collector, made with openssl under <dataDir>/tls on first use
// and reused afterwards. Agents pin the CA (soclite agent enroll --ca-file <dataDir>/tls/ca.crt) and then
// accept no other certificate, not even one from a public CA.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';

export interface TlsMaterial {
  caCert: string;
  caKey: string;
  cert: string;
  key: string;
  /** True when this call created the files. */
  created: boolean;
}

const HOST_PATTERN = /^[A-Za-z0-9.-]{1,253}$/;

/** subjectAltName for the given hosts plus localhost and loopback; names that are neither IP nor DNS are refused. */
export function subjectAltNames(hosts: string[]): string {
  const names = new Set(['DNS:localhost', 'IP:127.0.0.1', 'IP:::1']);
  for (const h of hosts) {
    if (!h || h === '0.0.0.0' || h === '::') continue;
    if (isIP(h)) names.add(`IP:${h}`);
    else if (HOST_PATTERN.test(h)) names.add(`DNS:${h}`);
    else throw new Error(`"${h}" is not a host name or IP address for the server certificate`);
  }
  return [...names].join(',');
}

function openssl(args: string[]): void {
  try {
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`openssl ${args[0]} failed: ${stderr || (err as Error).message}`);
  }
}

export function ensureTlsMaterial(dataDir: string, hosts: string[] = []): TlsMaterial {
  const dir = join(dataDir, 'tls');
  const m = { caCert: join(dir, 'ca.crt'), caKey: join(dir, 'ca.key'), cert: join(dir, 'server.crt'), key: join(dir, 'server.key') };
  if ([m.caCert, m.caKey, m.cert, m.key].every((f) => existsSync(f))) return { ...m, created: false };
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  if (!existsSync(m.caCert) || !existsSync(m.caKey)) {
    openssl(['req', '-x509', ...ec, '-keyout', m.caKey, '-out', m.caCert, '-days', '3650', '-subj', '/O=soclite/CN=soclite private CA',
      '-addext', 'basicConstraints=critical,CA:TRUE,pathlen:0', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  }
  const csr = join(dir, 'server.csr');
  const ext = join(dir, 'server.ext');
  writeFileSync(ext, `basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=${subjectAltNames([hostname(), ...hosts])}\n`);
  try {
    openssl(['req', ...ec, '-keyout', m.key, '-out', csr, '-subj', '/O=soclite/CN=soclite collector']);
    openssl(['x509', '-req', '-in', csr, '-CA', m.caCert, '-CAkey', m.caKey, '-set_serial', '0x' + Date.now().toString(16), '-days', '825', '-sha256', '-extfile', ext, '-out', m.cert]);
  } finally {
    rmSync(csr, { force: true });
    rmSync(ext, { force: true });
  }
  chmodSync(m.caKey, 0o600);
  chmodSync(m.key, 0o600);
  return { ...m, created: true };
}
