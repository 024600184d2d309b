// Builds the dashboard into dashboard/dist, which the collector serves. JSX is compiled for Preact by Vite's
// own transformer (no Babel preset needed), and chunks get content hashes so they can be cached forever.
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 400,
  },
  logLevel: 'warn',
});
