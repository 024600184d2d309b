// Content hash of one file for integrity monitoring; null when the file is absent. Large files are streamed.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export function sha256File(path: string): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(path)
      .on('error', (err: NodeJS.ErrnoException) => (err.code === 'ENOENT' || err.code === 'EISDIR' ? resolve(null) : reject(err)))
      .on('data', (d) => h.update(d))
      .on('end', () => resolve(h.digest('hex')));
  });
}
