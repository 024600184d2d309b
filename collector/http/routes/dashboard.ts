// The dashboard's entry page, served by the collector (the page uses only the public API).
import type { FastifyInstance } from 'fastify';
import { DASHBOARD_PAGE } from './dashboard-page.js';

export async function dashboardRoutes(app: FastifyInstance) {
  app.get('/', { schema: { hide: true } }, async (_req, reply) => {
    reply.header('content-type', 'text/html; charset=utf-8');
    return DASHBOARD_PAGE;
  });
}
