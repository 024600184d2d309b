// A bundle file made of pieces: bytes held in memory and ranges of staged files. The OSCAL document is one: its
// small parts are serialised once and its two big arrays (inventory, observations) stay in the files the fleet
// pass wrote. Hashing and zipping read the pieces in order, so the big arrays are never copied into a second
// temporary file (that copy was the largest write of a 10,000-machine export).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export type Segment = Buffer | { path: string; bytes: number };

export interface SegmentedFile {
  segments: Segment[];
  bytes: number;
  sha256: string;
}

/** The pieces' bytes in order, a file piece in 64 KiB chunks. */
export async function* readSegments(segments: readonly Segment[]): AsyncGenerator<Buffer> {
  for (const s of segments) {
    if (Buffer.isBuffer(s)) {
      if (s.length > 0) yield s;
      continue;
    }
    let seen = 0;
    for await (const chunk of createReadStream(s.path, { highWaterMark: 64 * 1024 })) {
      seen += (chunk as Buffer).length;
      yield chunk as Buffer;
    }
    // A staged part that changed size since it was closed would make the hash disagree with the zip entry.
    if (seen !== s.bytes) throw new Error(`${s.path} is ${seen} bytes, expected ${s.bytes}`);
  }
}

export async function hashSegments(segments: Segment[]): Promise<SegmentedFile> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of readSegments(segments)) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  return { segments, bytes, sha256: hash.digest('hex') };
}
