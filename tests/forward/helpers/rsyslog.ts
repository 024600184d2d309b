// A real rsyslogd (Debian) on a loopback port, configured per test in a temp directory: imtcp (optionally TLS
// via the gtls driver with a test CA made by openssl), mmpstrucdata to split STRUCTURED-DATA, and every
// received message written as rsyslog's own parsed view (`jsonmesg`) to out.jsonl — so tests see what
// rsyslog understood, not what we sent.
import { spawn, type ChildProcess, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export interface RsyslogRecord {
  msg: string;
  rawmsg: string;
  'protocol-version': string;
  'app-name': string;
  msgid: string;
  hostname: string;
  procid: string;
  'structured-data': string;
  pri: string;
  timereported: string;
  '$!'?: { 'rfc5424-sd'?: Record<string, Record<string, string>> };
  [key: string]: unknown;
}

export interface TestPki {
  caPem: string;
  caFile: string;
  certFile: string;
  keyFile: string;
}

export function rsyslogAvailable(): boolean {
  return existsSync('/usr/sbin/rsyslogd');
}

/** A throwaway CA and a server certificate for 127.0.0.1 / localhost, made with openssl. */
export function makeTestPki(dir: string, name = 'ca'): TestPki {
  mkdirSync(dir, { recursive: true });
  const p = (f: string) => path.join(dir, f);
  const run = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  run('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', `/CN=soclite test ${name}`, '-keyout', p(`${name}.key`), '-out', p(`${name}.pem`),
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  run('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', '/CN=localhost',
    '-keyout', p(`${name}-server.key`), '-out', p(`${name}-server.csr`));
  writeFileSync(p(`${name}-server.ext`), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n');
  run('x509', '-req', '-in', p(`${name}-server.csr`), '-CA', p(`${name}.pem`), '-CAkey', p(`${name}.key`), '-CAcreateserial',
    '-days', '2', '-extfile', p(`${name}-server.ext`), '-out', p(`${name}-server.pem`));
  return { caPem: readFileSync(p(`${name}.pem`), 'utf8'), caFile: p(`${name}.pem`), certFile: p(`${name}-server.pem`), keyFile: p(`${name}-server.key`) };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address() as net.AddressInfo;
      srv.close(() => resolve(addr.port));
    });
  });
}

async function waitFor(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export class RsyslogReceiver {
  readonly outFile: string;
  private child: ChildProcess | null = null;
  private stderr = '';

  private constructor(
    readonly dir: string,
    readonly port: number,
    readonly pki: TestPki | null,
  ) {
    this.outFile = path.join(dir, 'out.jsonl');
  }

  static async create(dir: string, opts: { tls: boolean }): Promise<RsyslogReceiver> {
    mkdirSync(path.join(dir, 'work'), { recursive: true });
    const pki = opts.tls ? makeTestPki(path.join(dir, 'pki')) : null;
    const r = new RsyslogReceiver(dir, await freePort(), pki);
    r.writeConfig();
    return r;
  }

  private writeConfig(): void {
    const tlsGlobal = this.pki
      ? ` defaultNetstreamDriverCAFile="${this.pki.caFile}" defaultNetstreamDriverCertFile="${this.pki.certFile}" defaultNetstreamDriverKeyFile="${this.pki.keyFile}"`
      : '';
    const tlsModule = this.pki ? ' streamDriver.name="gtls" streamDriver.mode="1" streamDriver.authMode="anon"' : '';
    const conf = `
global(workDirectory="${this.dir}/work" maxMessageSize="256k" parser.escapeControlCharactersOnReceive="off"${tlsGlobal})
module(load="imtcp"${tlsModule})
module(load="mmpstrucdata")
template(name="parsed" type="list") { property(name="jsonmesg") constant(value="\\n") }
input(type="imtcp" address="127.0.0.1" port="${this.port}" ruleset="received")
ruleset(name="received") {
  action(type="mmpstrucdata" sd_name.lowercase="off")
  action(type="omfile" file="${this.outFile}" template="parsed")
}
`;
    writeFileSync(path.join(this.dir, 'rsyslog.conf'), conf);
    execFileSync('/usr/sbin/rsyslogd', ['-N1', '-f', path.join(this.dir, 'rsyslog.conf')], { stdio: 'pipe' });
  }

  async start(): Promise<void> {
    if (this.child) return;
    const child = spawn('/usr/sbin/rsyslogd', ['-n', '-f', path.join(this.dir, 'rsyslog.conf'), '-i', path.join(this.dir, 'rsyslogd.pid')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr?.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.child = child;
    let exited = false;
    child.once('exit', () => (exited = true));
    await waitFor(async () => {
      if (exited) throw new Error(`rsyslogd exited at start: ${this.stderr}`);
      return listening(this.port);
    }, `rsyslogd listening on ${this.port}`);
  }

  /** SIGTERM and wait: rsyslog drains its queue to out.jsonl before it exits. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = null;
    if (child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }

  records(): RsyslogRecord[] {
    if (!existsSync(this.outFile)) return [];
    return readFileSync(this.outFile, 'utf8')
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => JSON.parse(l) as RsyslogRecord);
  }

  async waitForRecords(n: number, timeoutMs = 30_000): Promise<RsyslogRecord[]> {
    await waitFor(() => this.records().length >= n, `${n} records in ${this.outFile}`, timeoutMs);
    return this.records();
  }
}
