import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { sign, verify } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectorKeyPath, loadOrCreateCollectorKey } from '../../collector/evidence/keys.js';

describe('collector signing key', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'soclite-keys-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates an Ed25519 key with mode 0600 once and reuses it', async () => {
    const a = await loadOrCreateCollectorKey(dir);
    expect(((await stat(collectorKeyPath(dir))).mode & 0o777).toString(8)).toBe('600');
    const b = await loadOrCreateCollectorKey(dir);
    expect(b.fingerprint).toBe(a.fingerprint);
    expect(a.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    const sig = sign(null, Buffer.from('x'), a.privateKey);
    expect(verify(null, Buffer.from('x'), b.publicKey, sig)).toBe(true);
    expect(await readFile(collectorKeyPath(dir), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });

  it('refuses a key file other users can read, and a file that is not a key', async () => {
    await chmod(collectorKeyPath(dir), 0o644);
    await expect(loadOrCreateCollectorKey(dir)).rejects.toThrow(/readable by other users.*chmod 600/);
    const other = await mkdtemp(path.join(os.tmpdir(), 'soclite-keys-bad-'));
    await loadOrCreateCollectorKey(other);
    await writeFile(collectorKeyPath(other), 'not a key');
    await expect(loadOrCreateCollectorKey(other)).rejects.toThrow(/not a PEM private key/);
    await rm(other, { recursive: true, force: true });
  });
});
