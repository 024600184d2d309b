// The configuration file's schema with its defaults. Every key can also be set by SOCLITE_<SECTION>_<KEY>
// (case-insensitive key), and the CLI flags --host/--port/--data-dir win over both.
import { Type, type Static } from '@sinclair/typebox';
import { AlertsConfigSchema } from '../alerts/config.js';

const Port = Type.Integer({ minimum: 0, maximum: 65535 });

export const ConfigSchema = Type.Object(
  {
    server: Type.Object(
      {
        host: Type.String({ default: '127.0.0.1', description: 'address to listen on; 0.0.0.0 to accept agents from the LAN' }),
        port: Type.Integer({ ...Port, default: 8088 }),
        tls: Type.Object(
          {
            cert: Type.Optional(Type.String({ description: 'PEM certificate file' })),
            key: Type.Optional(Type.String({ description: 'PEM private key file' })),
          },
          { default: {}, additionalProperties: false },
        ),
        bodyLimitBytes: Type.Integer({ minimum: 1024, maximum: 64 * 1024 * 1024, default: 2 * 1024 * 1024 }),
        publicUrl: Type.Optional(Type.String({ description: 'URL agents and browsers use to reach this collector' })),
        logRequests: Type.Boolean({ default: false, description: 'log every HTTP request (noisy: two lines per agent report)' }),
      },
      { default: {}, additionalProperties: false },
    ),
    storage: Type.Object(
      { dataDir: Type.String({ default: './data' }) },
      { default: {}, additionalProperties: false },
    ),
    agents: Type.Object(
      {
        heartbeatSec: Type.Integer({ minimum: 1, default: 60 }),
        scanSec: Type.Integer({ minimum: 1, default: 300 }),
        lateAfterSec: Type.Number({ exclusiveMinimum: 0, default: 180 }),
        offlineAfterSec: Type.Number({ exclusiveMinimum: 0, default: 900 }),
        missingAfterSec: Type.Number({ exclusiveMinimum: 0, default: 7 * 86400 }),
        maxClockSkewSec: Type.Integer({ minimum: 1, default: 300 }),
        livenessCheckSec: Type.Number({ exclusiveMinimum: 0, default: 5 }),
      },
      { default: {}, additionalProperties: false },
    ),
    policy: Type.Object(
      {
        dir: Type.Optional(Type.String({ description: 'policy packs folder; defaults to the shipped policies/' })),
        packs: Type.Array(Type.String(), { default: ['vn-nd85-tt12', 'cis-v8'] }),
        overrides: Type.Record(Type.String(), Type.Unknown(), { default: {} }),
        trendSnapshotSec: Type.Number({ exclusiveMinimum: 0, default: 3600, description: 'how often today’s compliance trend point is refreshed' }),
        reevaluateEverySec: Type.Number({
          minimum: 60,
          // Six hours: the limits these checks have are days (last patch) or days' worth of hours (signatures,
          // whose product verdict also turns the posture over when they expire). Hourly took 5-8 points of a core
          // and most of the p99 margin at 100,000 agents (BENCHMARKS.md, tenth session).
          default: 21600,
          description: 'every agent’s stored posture is evaluated again at least this often, so time-dependent checks (patch and signature ages) stay current on machines whose posture does not change',
        }),
      },
      { default: {}, additionalProperties: false },
    ),
    forward: Type.Object(
      { destinations: Type.Array(Type.Record(Type.String(), Type.Unknown()), { default: [] }) },
      { default: {}, additionalProperties: false },
    ),
    alerts: AlertsConfigSchema,
    auth: Type.Object(
      {
        metricsToken: Type.Optional(Type.String({ description: 'if set, GET /metrics requires Authorization: Bearer <token>' })),
        sessionHours: Type.Number({ exclusiveMinimum: 0, default: 12 }),
        // Request and login limits (collector/auth/limits.ts); raise them for load tests or very large provinces.
        requestsPerMinutePerIp: Type.Integer({ minimum: 1, default: 1200 }),
        reportsPerMinutePerAgent: Type.Integer({ minimum: 1, default: 240 }),
        loginFailuresPerUser: Type.Integer({ minimum: 1, default: 5 }),
        loginFailuresPerIp: Type.Integer({ minimum: 1, default: 20 }),
        loginLockoutSec: Type.Integer({ minimum: 1, default: 900 }),
      },
      { default: {}, additionalProperties: false },
    ),
  },
  { additionalProperties: false, default: {} },
);

export type Config = Static<typeof ConfigSchema>;
