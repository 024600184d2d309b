// verifyBundle: checks an evidence bundle (the .zip, or the folder it was extracted to) the way the README's
// sha256sum/openssl commands do, and names every file that is changed, missing, unreadable or unexpected.
// Nothing from the bundle is written to disk; entries are streamed through SHA-256.
import { createHash, createPublicKey, verify as verifySignature, type KeyObject } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { HASHED_FILES, MANIFEST_FILE, PUBLIC_KEY_FILE, SIGNATURE_FILE, SUMS_FILE, SumsFormatError, parseSums } from './bundle-files.js';
import { publicKeyFingerprint } from './keys.js';

export type ProblemKind = 'changed' | 'missing' | 'extra' | 'unreadable' | 'signature' | 'format' | 'untrusted-key';
export interface VerifyProblem {
  file: string;
  kind: ProblemKind;
  detail: string;
}

export interface VerifyReport {
  ok: boolean;
  problems: VerifyProblem[];
  /** Files whose hash matched SHA256SUMS. */
  verified: string[];
  /** SHA-256 of the bundle's public key (DER), when it could be read. */
  fingerprint: string | null;
}

export interface VerifyOptions {
  /** PEM of the key the bundle must be signed with; without it the bundle's own public-key.pem is used. */
  trustedPublicKeyPem?: string;
}

interface EntryDigest {
  sha256: string;
  bytes: number;
  /** Kept for the small files verification needs to read (sums, signature, key, manifest). */
  content?: Buffer;
}

const SMALL_FILES = new Set([SUMS_FILE, SIGNATURE_FILE, PUBLIC_KEY_FILE, MANIFEST_FILE]);
const SMALL_LIMIT = 1024 * 1024;

async function digest(stream: Readable, keep: boolean): Promise<EntryDigest> {
  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of stream) {
    const buf = chunk as Buffer;
    hash.update(buf);
    bytes += buf.length;
    if (keep && bytes <= SMALL_LIMIT) chunks.push(buf);
  }
  const d: EntryDigest = { sha256: hash.digest('hex'), bytes };
  if (keep && bytes <= SMALL_LIMIT) d.content = Buffer.concat(chunks);
  return d;
}

type Digests = Map<string, EntryDigest>;

async function digestDirectory(dir: string, problems: VerifyProblem[]): Promise<Digests> {
  const out: Digests = new Map();
  for (const ent of await readdir(dir, { withFileTypes: true })) {
    if (!ent.isFile()) {
      problems.push({ file: ent.name, kind: 'extra', detail: 'not a regular file; a bundle holds only files' });
      continue;
    }
    try {
      out.set(ent.name, await digest(createReadStream(path.join(dir, ent.name)), SMALL_FILES.has(ent.name)));
    } catch (err) {
      problems.push({ file: ent.name, kind: 'unreadable', detail: (err as Error).message });
    }
  }
  return out;
}

function openZip(file: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true, validateEntrySizes: true, autoClose: true }, (err, zip) => (err ? reject(err) : resolve(zip))),
  );
}

async function digestZip(file: string, problems: VerifyProblem[]): Promise<Digests> {
  const out: Digests = new Map();
  const zip = await openZip(file);
  await new Promise<void>((resolve, reject) => {
    zip.on('error', reject);
    zip.on('end', () => resolve());
    zip.on('entry', (entry: yauzl.Entry) => {
      const name = entry.fileName;
      const next = (): void => zip.readEntry();
      if (name.endsWith('/')) {
        problems.push({ file: name, kind: 'extra', detail: 'a folder; a bundle holds only files' });
        return next();
      }
      if (out.has(name)) {
        problems.push({ file: name, kind: 'extra', detail: 'appears twice in the zip' });
        return next();
      }
      zip.openReadStream(entry, (err, stream) => {
        if (err) {
          problems.push({ file: name, kind: 'unreadable', detail: err.message });
          return next();
        }
        digest(stream, SMALL_FILES.has(name)).then(
          (d) => {
            out.set(name, d);
            next();
          },
          (e: Error) => {
            // Corrupt compressed data: name the entry and carry on with the others.
            problems.push({ file: name, kind: 'unreadable', detail: e.message });
            next();
          },
        );
      });
    });
    zip.readEntry();
  });
  return out;
}

export async function verifyBundle(target: string, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const problems: VerifyProblem[] = [];
  const verified: string[] = [];
  let fingerprint: string | null = null;
  let digests: Digests;
  try {
    digests = (await stat(target)).isDirectory() ? await digestDirectory(target, problems) : await digestZip(target, problems);
  } catch (err) {
    problems.push({ file: path.basename(target), kind: 'unreadable', detail: `not a readable bundle: ${(err as Error).message}` });
    return { ok: false, problems, verified, fingerprint };
  }

  const sumsEntry = digests.get(SUMS_FILE);
  let sums: Map<string, string> | null = null;
  if (!sumsEntry) {
    if (!problems.some((p) => p.file === SUMS_FILE)) problems.push({ file: SUMS_FILE, kind: 'missing', detail: 'the signed list of hashes is missing' });
  } else if (!sumsEntry.content) {
    problems.push({ file: SUMS_FILE, kind: 'format', detail: 'too large to be a list of hashes' });
  } else {
    try {
      sums = parseSums(sumsEntry.content.toString('utf8'));
    } catch (err) {
      if (!(err instanceof SumsFormatError)) throw err;
      problems.push({ file: SUMS_FILE, kind: 'format', detail: err.message });
    }
  }

  // Signature first: it says whether SHA256SUMS itself can be trusted.
  const keyEntry = digests.get(PUBLIC_KEY_FILE);
  const sigEntry = digests.get(SIGNATURE_FILE);
  let key: KeyObject | null = null;
  const keyPem = opts.trustedPublicKeyPem ?? keyEntry?.content?.toString('utf8');
  if (keyPem === undefined) {
    if (!problems.some((p) => p.file === PUBLIC_KEY_FILE)) problems.push({ file: PUBLIC_KEY_FILE, kind: 'missing', detail: 'no public key to check the signature with' });
  } else {
    try {
      key = createPublicKey(keyPem);
      if (key.asymmetricKeyType !== 'ed25519') throw new Error(`an ${key.asymmetricKeyType} key, not Ed25519`);
      fingerprint = publicKeyFingerprint(key);
    } catch (err) {
      key = null;
      problems.push({ file: opts.trustedPublicKeyPem ? '(trusted key)' : PUBLIC_KEY_FILE, kind: 'format', detail: `not an Ed25519 public key: ${(err as Error).message}` });
    }
  }
  if (opts.trustedPublicKeyPem && keyEntry?.content && key) {
    try {
      if (publicKeyFingerprint(createPublicKey(keyEntry.content)) !== fingerprint) {
        problems.push({ file: PUBLIC_KEY_FILE, kind: 'untrusted-key', detail: 'the bundle carries a different key than the trusted one' });
      }
    } catch {
      problems.push({ file: PUBLIC_KEY_FILE, kind: 'format', detail: 'not a public key' });
    }
  }
  if (!sigEntry) {
    if (!problems.some((p) => p.file === SIGNATURE_FILE)) problems.push({ file: SIGNATURE_FILE, kind: 'missing', detail: 'the signature is missing' });
  } else if (sumsEntry?.content && key && sigEntry.content) {
    let good = false;
    try {
      good = verifySignature(null, sumsEntry.content, key, sigEntry.content);
    } catch {
      good = false;
    }
    if (!good) {
      problems.push({
        file: SIGNATURE_FILE,
        kind: 'signature',
        detail: `the signature does not match ${SUMS_FILE}: ${SUMS_FILE} or ${SIGNATURE_FILE} was changed, or it was signed with another key`,
      });
    }
  }

  if (sums) {
    for (const [name, expected] of sums) {
      const d = digests.get(name);
      if (!d) {
        if (!problems.some((p) => p.file === name)) problems.push({ file: name, kind: 'missing', detail: `listed in ${SUMS_FILE} but not in the bundle` });
      } else if (d.sha256 !== expected) {
        problems.push({ file: name, kind: 'changed', detail: `SHA-256 is ${d.sha256}, ${SUMS_FILE} says ${expected}` });
      } else verified.push(name);
    }
    for (const name of HASHED_FILES) {
      if (!sums.has(name) && !digests.has(name) && !problems.some((p) => p.file === name)) {
        problems.push({ file: name, kind: 'missing', detail: 'a bundle must contain it' });
      }
    }
    for (const name of digests.keys()) {
      if (name !== SUMS_FILE && name !== SIGNATURE_FILE && !sums.has(name)) {
        problems.push({ file: name, kind: 'extra', detail: `not listed in ${SUMS_FILE}` });
      }
    }
    checkManifest(digests.get(MANIFEST_FILE), sums, verified, problems);
  }
  return { ok: problems.length === 0, problems, verified, fingerprint };
}

/** manifest.json repeats the hashes; once it is known intact, it must agree with SHA256SUMS. */
function checkManifest(entry: EntryDigest | undefined, sums: Map<string, string>, verified: string[], problems: VerifyProblem[]): void {
  if (!entry?.content || !verified.includes(MANIFEST_FILE)) return;
  try {
    const manifest = JSON.parse(entry.content.toString('utf8')) as { files?: { path: string; sha256: string }[] };
    const listed = new Map((manifest.files ?? []).map((f) => [f.path, f.sha256]));
    for (const [name, hash] of sums) {
      if (name !== MANIFEST_FILE && listed.get(name) !== hash) {
        problems.push({ file: MANIFEST_FILE, kind: 'format', detail: `disagrees with ${SUMS_FILE} about ${name}` });
      }
    }
  } catch (err) {
    problems.push({ file: MANIFEST_FILE, kind: 'format', detail: `not valid JSON: ${(err as Error).message}` });
  }
}
