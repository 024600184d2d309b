// Builds the fastify application: plugins, error handling and routes. Routes only translate between HTTP and
// the service layer; the service is passed in, so tests can build an app over any store.
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import swagger from '@fastify/swagger';
import type { CollectorService } from '../service.js';
import { registerRawJsonParser } from './raw-json.js';
import { validatorCompiler } from './validators.js';
import { registerErrorHandling } from './error-handler.js';
import { agentReportRoutes, enrollRoutes } from './routes/agent-protocol.js';
import { sessionRoutes } from './routes/session.js';
import { agentRoutes } from './routes/agents.js';
import { complianceRoutes } from './routes/compliance.js';
import { forwardRoutes } from './routes/forward.js';
import { systemRoutes } from './routes/system.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { overviewRoutes } from './routes/overview.js';
import { livePlugin } from '../live/plugin.js';
import { registerAuthGate } from './auth-hooks.js';
import { registerRateLimits } from './rate-limits.js';
import { registerAuditHooks } from './audit-hooks.js';
import { userRoutes } from './routes/users.js';
import { tokenRoutes } from './routes/tokens.js';
import { unitRoutes } from './routes/units.js';
import { auditRoutes } from './routes/audit.js';
import { agentAdminRoutes } from './routes/agent-admin.js';
import { alertRoutes } from './routes/alerts.js';
import { evidenceRoutes } from './routes/evidence.js';
import { resolveLimits, type SecurityLimits } from '../auth/limits.js';
import { LoginThrottle } from '../auth/login-throttle.js';

export interface HttpAppOptions {
  service: CollectorService;
  version: string;
  logger: FastifyServerOptions['loggerInstance'];
  https?: { key: Buffer; cert: Buffer };
  /** Rate limits and login lockout; defaults in collector/auth/limits.ts. */
  limits?: Partial<SecurityLimits>;
}

export async function buildHttpApp(o: HttpAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: o.logger,
    bodyLimit: o.service.config.server.bodyLimitBytes,
    logController: new LogController({ disableRequestLogging: !o.service.config.server.logRequests }),
    ...(o.https ? { https: o.https } : {}),
  } as FastifyServerOptions) as unknown as FastifyInstance;

  app.setValidatorCompiler(validatorCompiler);
  registerRawJsonParser(app);
  registerErrorHandling(app, o.service);
  const limits = resolveLimits(o.limits);
  // Rate limits (per client IP; agent routes keep their own, see agent-protocol.ts) and the OpenAPI document
  // cover every route; they attach per route as routes are added.
  await registerRateLimits(app, limits);
  await app.register(swagger, {
    openapi: {
      info: { title: 'soclite collector API', version: o.version },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, session: { type: 'apiKey', in: 'cookie', name: 'soclite_session' } } },
    },
  });

  // Agent sessions and reports: nearly every request a collector answers. Their own context, without what
  // only people's browsers need (cookies, security headers, the login gate and actor context, live-update
  // hooks), which profiling showed cost about a tenth of each report. A route added here is public: it must
  // authenticate the agent itself (request-auth.ts).
  await app.register(agentReportRoutes, { service: o.service, limits, prefix: '/api/v1' });

  // Everything people use: the API behind the dashboard, enrollment, health and metrics, the dashboard pages.
  await app.register(async (ui) => {
    await ui.register(cookie);
    await ui.register(helmet, {
      contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], scriptSrc: ["'self'", "'unsafe-inline'"], styleSrc: ["'self'", "'unsafe-inline'"] } },
    });
    registerAuthGate(ui, o.service);
    registerAuditHooks(ui, o.service);
    // Before the API routes: its onResponse hook tells open dashboards when something changed through the API.
    await ui.register(livePlugin, { service: o.service });
    await ui.register(
      async (api) => {
        await api.register(enrollRoutes, { service: o.service });
        await api.register(sessionRoutes, { service: o.service, secureCookies: Boolean(o.https), throttle: new LoginThrottle(limits) });
        await api.register(agentRoutes, { service: o.service });
        await api.register(overviewRoutes, { service: o.service });
        await api.register(agentAdminRoutes, { service: o.service });
        await api.register(userRoutes, { service: o.service });
        await api.register(tokenRoutes, { service: o.service });
        await api.register(unitRoutes, { service: o.service });
        await api.register(auditRoutes, { service: o.service });
        await api.register(complianceRoutes, { service: o.service });
        await api.register(forwardRoutes, { service: o.service });
        await api.register(alertRoutes, { service: o.service });
        await api.register(evidenceRoutes, { service: o.service });
        api.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
      },
      { prefix: '/api/v1' },
    );
    await ui.register(systemRoutes, { service: o.service, version: o.version });
    await ui.register(dashboardRoutes);
  });
  return app;
}
