// Starts a collector: store, service, HTTP app, background work; and stops it gracefully (in-flight requests
// finish and commit, then the database closes).
import { readFileSync } from 'node:fs';
import { pino, type Logger } from 'pino';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config/schema.js';
import { openStore, type Store } from './store/index.js';
import { CollectorService } from './service.js';
import { buildHttpApp } from './http/app.js';
import { ensureAdmin } from './auth/service.js';
import { VERSION } from './version.js';
import { ComplianceService } from './compliance/service.js';
import { registerComplianceMetrics } from './compliance/metrics.js';
import { defaultPolicyDir } from './policy/index.js';
import { startAlerts } from './alerts/start.js';

export interface RunningCollector {
  url: string;
  service: CollectorService;
  store: Store;
  app: FastifyInstance;
  /** Set on the first run only: the generated password of user "admin". */
  adminPassword: string | null;
  close(): Promise<void>;
}

export function createLogger(level = process.env.SOCLITE_LOG_LEVEL ?? 'info'): Logger {
  return pino({
    level,
    // Belt and braces: even if a secret reaches a log call, these paths are never written.
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-soclite-signature"]', 'token', 'password', '*.token', '*.password'],
      censor: '[redacted]',
    },
  });
}

export async function startCollector(config: Config, logger: Logger = createLogger()): Promise<RunningCollector> {
  const store = openStore(config.storage.dataDir, {
    onMigration: (m) => logger.info({ migration: m.version }, `upgrading the database: ${m.name} (on a large fleet this can take a minute or more)`),
  });
  try {
    const adminPassword = await ensureAdmin(store);
    // Disk waits of WAL checkpoints off the event loop (store/checkpointer.ts); in-memory databases have none.
    if (!store.db.memory) {
      store.startBackgroundCheckpoints({ onLost: (err) => logger.error({ err }, 'checkpoint worker stopped: the writer checkpoints by itself from now on') });
    }
    const service = new CollectorService(store, config, logger);
    // A changed posture's pages read off the event loop first (store/page-warmer.ts); in memory there is no disk.
    if (!store.db.memory) {
      service.pageWarmer = store.startPageWarmer((err) => logger.error({ err }, 'page warmer stopped: changed postures read their pages on the event loop from now on'));
    }
    const warmer = service.pageWarmer;
    const compliance = new ComplianceService(
      store,
      {
        policyDir: config.policy.dir ?? defaultPolicyDir(),
        packs: config.policy.packs,
        overrides: config.policy.overrides,
        reevaluateEveryMs: config.policy.reevaluateEverySec * 1000,
        warm: warmer && ((id) => warmer.warm(id)),
      },
      logger,
    );
    service.compliance = compliance;
    registerComplianceMetrics(service.metrics.registry, compliance);
    service.addCommitHook((o) => {
      if (o.postureChanged) compliance.evaluateAgent(o.agent.id, o.agent.unitId, o.postureChanged.posture);
    });
    // Findings follow the policy: when the packs changed since the last run, every agent is evaluated again.
    compliance.reevaluateIfPolicyChangedSinceLastRun();
    compliance.startReevaluation();
    compliance.watchPolicyDir();
    compliance.startTrendSnapshots(config.policy.trendSnapshotSec * 1000);
    const alerts = startAlerts({ store, service, config, logger });
    const tls = config.server.tls;
    const https = tls.cert && tls.key ? { cert: readFileSync(tls.cert), key: readFileSync(tls.key) } : undefined;
    const a = config.auth;
    const limits = {
      requestsPerMinutePerIp: a.requestsPerMinutePerIp,
      reportsPerMinutePerAgent: a.reportsPerMinutePerAgent,
      loginFailuresPerUser: a.loginFailuresPerUser,
      loginFailuresPerIp: a.loginFailuresPerIp,
      loginLockoutSec: a.loginLockoutSec,
    };
    const app = await buildHttpApp({ service, version: VERSION, logger, https, limits });
    await app.listen({ host: config.server.host, port: config.server.port });
    const addr = app.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : config.server.port;
    const host = config.server.host === '0.0.0.0' || config.server.host === '::' ? '127.0.0.1' : config.server.host;
    const url = config.server.publicUrl ?? `${https ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
    service.startBackgroundWork();
    let closed = false;
    return {
      url,
      service,
      store,
      app,
      adminPassword,
      async close() {
        if (closed) return;
        closed = true;
        service.stop();
        await compliance.close();
        await alerts.close();
        await app.close();
        store.close();
      },
    };
  } catch (err) {
    store.close();
    throw err;
  }
}
