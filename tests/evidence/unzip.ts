// Extracts a flat evidence bundle with yauzl (no `unzip` binary needed), refusing any path that is not a plain
// file name.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import yauzl from 'yauzl';

export async function extractFlatZip(zipPath: string, dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(zipPath, { lazyEntries: true }, (err, z) => (err ? reject(err) : resolve(z))),
  );
  const names: string[] = [];
  await new Promise<void>((resolve, reject) => {
    zip.on('error', reject);
    zip.on('end', resolve);
    zip.on('entry', (entry: yauzl.Entry) => {
      if (entry.fileName !== path.basename(entry.fileName)) return reject(new Error(`unexpected path ${entry.fileName}`));
      zip.openReadStream(entry, async (err, stream) => {
        if (err) return reject(err);
        const chunks: Buffer[] = [];
        for await (const c of stream) chunks.push(c as Buffer);
        await writeFile(path.join(dir, entry.fileName), Buffer.concat(chunks));
        names.push(entry.fileName);
        zip.readEntry();
      });
    });
    zip.readEntry();
  });
  return names;
}
