// The collector's Ed25519 signing key for evidence bundles: <dataDir>/keys/collector-ed25519.pem (PKCS#8 PEM,
// mode 0600), made on first use. Auditors recognise the key by the SHA-256 of its DER public key, which
// `openssl pkey -pubin -in public-key.pem -outform DER | sha256sum` reproduces.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdir, open, readFile, stat } from 'node:fs/promises';
import path from 'node:path';

export interface CollectorKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicKeyPem: string;
  /** Hex SHA-256 of the DER (SubjectPublicKeyInfo) public key. */
  fingerprint: string;
}

export const collectorKeyPath = (dataDir: string): string => path.join(dataDir, 'keys', 'collector-ed25519.pem');

export function describeKey(privateKey: KeyObject): CollectorKey {
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'ed25519') {
    throw new Error(`the signing key must be an Ed25519 private key, got ${privateKey.type} ${privateKey.asymmetricKeyType ?? ''}`.trim());
  }
  const publicKey = createPublicKey(privateKey);
  return {
    privateKey,
    publicKey,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    fingerprint: publicKeyFingerprint(publicKey),
  };
}

export function publicKeyFingerprint(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
}

export async function loadOrCreateCollectorKey(dataDir: string): Promise<CollectorKey> {
  const file = collectorKeyPath(dataDir);
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    // 'wx': never overwrite a key another process made a moment ago; if it exists we read it below.
    const handle = await open(file, 'wx', 0o600);
    try {
      const { privateKey } = generateKeyPairSync('ed25519');
      await handle.writeFile(privateKey.export({ type: 'pkcs8', format: 'pem' }));
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const info = await stat(file);
  if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) {
    throw new Error(`${file} is readable by other users (mode ${(info.mode & 0o777).toString(8)}): run chmod 600 on it`);
  }
  const pem = await readFile(file, 'utf8');
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (err) {
    throw new Error(`${file} is not a PEM private key: ${(err as Error).message}`);
  }
  return describeKey(key);
}
