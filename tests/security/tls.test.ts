// TLS: `soclite collector --tls` makes a private CA and serves HTTPS; an agent that pinned that CA enrolls and
// reports; a client pinned to another CA, or trusting only the system store, is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { enroll, sendSigned } from '../../agent/transport/client.js';
import { newKeyPair } from '../../agent/transport/identity.js';
import { ensureTlsMaterial, subjectAltNames } from '../../collector/auth/tls.js';
import { enrollAgent } from '../../agent/enroll.js';
import { freePort, runCli, spawnCli, type CliProcess } from '../helpers/cli.js';

let proc: CliProcess;
let url: string;
let dataDir: string;
let caPem: string;

beforeAll(async () => {
  dataDir = join(mkdtempSync(join(tmpdir(), 'soclite-tls-')), 'data');
  proc = spawnCli(['collector', '--tls', '--data-dir', dataDir, '--port', String(await freePort())]);
  url = (await proc.waitForLine(/^URL: (\S+)$/m))[1]!;
  caPem = readFileSync((await proc.waitForLine(/^CA: (\S+)$/m))[1]!, 'utf8');
});
afterAll(async () => proc?.kill('SIGTERM'));

const token = async () => (await runCli(['token', 'create', '--unit', 'default', '--data-dir', dataDir])).stdout.trim().split('\n').pop()!;
const req = (t: string, k: ReturnType<typeof newKeyPair>) => ({ token: t, publicKey: k.publicKeyB64, agentVersion: 't', hostname: 'tls-host', hardwareId: 'hw', platform: 'linux' });

describe('TLS with a private CA', () => {
  it('serves HTTPS with keys readable by the owner only and a certificate for loopback', () => {
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:/);
    expect(statSync(join(dataDir, 'tls', 'server.key')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, 'tls', 'ca.key')).mode & 0o777).toBe(0o600);
    const text = execFileSync('openssl', ['x509', '-in', join(dataDir, 'tls', 'server.crt'), '-noout', '-text'], { encoding: 'utf8' });
    expect(text).toMatch(/IP Address:127\.0\.0\.1/);
    expect(text).toMatch(/TLS Web Server Authentication/);
    execFileSync('openssl', ['verify', '-CAfile', join(dataDir, 'tls', 'ca.crt'), join(dataDir, 'tls', 'server.crt')]);
  });

  it('an agent pinned to the CA enrolls and sends signed reports', async () => {
    const k = newKeyPair();
    const res = await enroll({ serverUrl: url, caPem }, req(await token(), k), k.privateKey);
    const ack = await sendSigned({ serverUrl: url, caPem }, res.agentId, k.privateKey, 1, JSON.stringify({ kind: 'heartbeat', seq: 1, postureHash: null }));
    expect(ack.accepted).toBe(true);
  });

  it('soclite agent enroll --ca-file stores the pin; without it (system store) the collector is refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'soclite-tls-agent-'));
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, (await token()) + '\n', { mode: 0o600 });
    writeFileSync(join(dir, 'ca.crt'), caPem);
    const noPin = await runCli(['agent', 'enroll', '--server', url, '--token-file', tokenFile, '--state-dir', join(dir, 'a')]);
    expect(noPin.code).not.toBe(0);
    expect(existsSync(join(dir, 'a', 'identity.json'))).toBe(false);
    const id = await enrollAgent({ serverUrl: url, tokenFile, stateDir: join(dir, 'b'), version: 't', caFile: join(dir, 'ca.crt') });
    expect(id.caPem).toBe(caPem);
  });

  it('a client pinned to another CA refuses the collector’s certificate', async () => {
    const other = ensureTlsMaterial(mkdtempSync(join(tmpdir(), 'soclite-other-ca-')));
    const k = newKeyPair();
    const err = await enroll({ serverUrl: url, caPem: readFileSync(other.caCert, 'utf8') }, req(await token(), k), k.privateKey).catch((e: unknown) => e);
    expect(String((err as { cause?: { code?: string } }).cause?.code ?? err)).toMatch(/UNABLE_TO_VERIFY|SELF_SIGNED|CERT/);
  });

  it('a pin over plain HTTP, a CA file holding a key, and bad host names are refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'soclite-tls-bad-'));
    writeFileSync(join(dir, 'ca.crt'), caPem);
    writeFileSync(join(dir, 'token'), (await token()) + '\n', { mode: 0o600 });
    await expect(enrollAgent({ serverUrl: url.replace('https:', 'http:'), tokenFile: join(dir, 'token'), stateDir: join(dir, 's'), version: 't', caFile: join(dir, 'ca.crt') })).rejects.toThrow(/needs an https/);
    writeFileSync(join(dir, 'bad.crt'), caPem + readFileSync(join(dataDir, 'tls', 'ca.key'), 'utf8'));
    await expect(enrollAgent({ serverUrl: url, tokenFile: join(dir, 'token'), stateDir: join(dir, 's'), version: 't', caFile: join(dir, 'bad.crt') })).rejects.toThrow(/private key/);
    expect(() => subjectAltNames(['bad host;rm -rf /'])).toThrow(/not a host name/);
    expect(subjectAltNames(['collector.so.gov.vn', '10.0.0.5'])).toContain('DNS:collector.so.gov.vn,IP:10.0.0.5');
  });
});
