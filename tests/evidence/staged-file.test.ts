// StagedFile encodes text into fixed chunks: whatever the mix of sizes and characters (Vietnamese, emoji, lone
// surrogates, strings larger than a chunk), the file holds exactly the UTF-8 of the concatenation, and the
// reported size and SHA-256 are those of the file.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StagedFile } from '../../collector/evidence/staged-file.js';

let dir: string;
let n = 0;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'soclite-staged-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function stage(parts: string[]): Promise<{ bytes: Buffer; result: { bytes: number; sha256: string } }> {
  const f = new StagedFile(path.join(dir, `f-${n++}`));
  for (const p of parts) {
    const w = f.write(p);
    if (w) await w;
  }
  const result = await f.close();
  return { bytes: await readFile(f.path), result };
}

describe('StagedFile', () => {
  it('writes exactly the UTF-8 of the concatenated text, with its size and hash', async () => {
    const piece = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 200 }),
      fc.string({ unit: 'binary', maxLength: 50 }), // includes lone surrogates
      fc.constantFrom('Đáp ứng một phần', '🙂', '\uD800', 'x'.repeat(70_000), 'ệ'.repeat(30_000)),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { maxLength: 400 }), async (parts) => {
        const { bytes, result } = await stage(parts);
        const expected = Buffer.from(parts.join(''), 'utf8');
        expect(bytes.equals(expected)).toBe(true);
        expect(result.bytes).toBe(expected.length);
        expect(result.sha256).toBe(createHash('sha256').update(expected).digest('hex'));
      }),
      { numRuns: 60 },
    );
  });

  it('fills chunk boundaries with multi-byte characters without splitting them', async () => {
    // 21,845 three-byte characters fill 65,535 bytes; the next one must start a new chunk intact.
    const parts = Array.from({ length: 50 }, (_, i) => (i % 2 ? 'ệ'.repeat(21_845) : 'a'.repeat(i)));
    const { bytes } = await stage(parts);
    expect(bytes.toString('utf8')).toBe(parts.join(''));
  });
});

describe('abort', () => {
  it('resolves only once the file is closed: nothing appears in the staging directory after it', async () => {
    const own = await mkdtemp(path.join(dir, 'abort-'));
    // Aborted before its open finished: the open still creates the file, and that must happen before abort
    // resolves, or a removal of the directory right after races it (ENOTEMPTY, hiding the export's own error).
    const files = Array.from({ length: 8 }, (_, i) => new StagedFile(path.join(own, `f${i}.csv`)));
    await Promise.all(files.map((f) => f.abort()));
    const rightAfter = await readdir(own);
    await new Promise((r) => setTimeout(r, 50));
    expect(await readdir(own)).toEqual(rightAfter);
    await rm(own, { recursive: true });
    // Twice is harmless.
    await files[0]!.abort();
  });
});
