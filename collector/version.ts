// The running version, read once from package.json so every report, log line and export names the same one.
import { readFileSync } from 'node:fs';

function findPackageJson(): string {
  // Works from the source tree (collector/) and from the build (dist/collector/).
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      const text = readFileSync(new URL(rel, import.meta.url), 'utf8');
      if ((JSON.parse(text) as { name?: string }).name === 'soclite') return text;
    } catch {
      /* try the next candidate */
    }
  }
  return '{"version":"0.0.0"}';
}

export const VERSION: string = (JSON.parse(findPackageJson()) as { version: string }).version;
