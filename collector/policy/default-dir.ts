// Where the shipped packs are: the repository's policies/ folder, found by walking up from this module so it
// works from the sources (tsx) and from the build output (dist/collector/policy).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export function defaultPolicyDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'policies');
    if (existsSync(path.join(candidate, 'vn-nd85-tt12', 'pack.yaml'))) return candidate;
    dir = path.dirname(dir);
  }
  return path.resolve('policies');
}
