// Serves the built dashboard (dashboard/dist, made by `npm run build`) with the SPA fallback: any GET that is not
// a file, not the API and asks for HTML gets index.html, so /agents/agt_x can be reloaded or bookmarked. When the
// build is missing the collector still runs and says plainly how to build the dashboard.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import { DASHBOARD_MISSING_PAGE } from './dashboard-page.js';

/** The repository root: the first folder above this module holding package.json (works from source and dist/). */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    dir = dirname(dir);
  }
  return process.cwd();
}

/** SOCLITE_DASHBOARD_DIST overrides where the build is read from (tests build into a temporary folder). */
export function dashboardDistDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.SOCLITE_DASHBOARD_DIST ? resolve(env.SOCLITE_DASHBOARD_DIST) : join(packageRoot(), 'dashboard', 'dist');
}

const wantsPage = (req: FastifyRequest) => {
  const path = req.url.split('?')[0]!;
  return !path.startsWith('/api/') && !/\.[a-z0-9]+$/i.test(path) && (req.headers.accept ?? 'text/html').includes('text/html');
};

export async function dashboardRoutes(app: FastifyInstance, opts: { distDir?: string } = {}) {
  const dist = opts.distDir ?? dashboardDistDir();
  const built = existsSync(join(dist, 'index.html'));

  if (!built) {
    app.log.warn({ dist }, 'dashboard build missing: run `npm run build`; serving an explanation page instead');
    const explain = async (req: FastifyRequest, reply: FastifyReply) => {
      if (!wantsPage(req)) return reply.callNotFound();
      return reply.status(503).header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store').send(DASHBOARD_MISSING_PAGE);
    };
    app.get('/', { schema: { hide: true } }, explain);
    app.get('/*', { schema: { hide: true } }, explain);
    return;
  }

  // Files are enumerated at start (wildcard: false), so the catch-all below is ours. Hashed assets are
  // immutable; index.html must be re-read on every load so a new build takes effect at once.
  await app.register(fastifyStatic, {
    root: dist,
    prefix: '/',
    wildcard: false,
    index: false,
    setHeaders(reply, filePath) {
      reply.header('cache-control', filePath.includes(`${join(dist, 'assets')}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  const page = async (req: FastifyRequest, reply: FastifyReply) => {
    if (!wantsPage(req)) return reply.callNotFound();
    return reply.header('cache-control', 'no-cache').sendFile('index.html');
  };
  app.get('/', { schema: { hide: true } }, page);
  app.get('/*', { schema: { hide: true } }, page);
}
