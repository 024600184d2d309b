// Builds the dashboard into a temporary folder for one test file, so tests never race over dashboard/dist
// and always exercise the current source.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import { REPO_ROOT } from '../helpers/cli.js';

export async function buildDashboard(): Promise<string> {
  const outDir = join(mkdtempSync(join(tmpdir(), 'soclite-dash-')), 'dist');
  await build({ configFile: join(REPO_ROOT, 'dashboard', 'vite.config.ts'), logLevel: 'error', build: { outDir, emptyOutDir: true, sourcemap: false } });
  return outDir;
}
