// The agent-facing routes: enrollment, session opening and signed reports. All are reachable without a user
// login; they are protected by the enrollment token, the agent's Ed25519 signature or its session MAC.
// Enrollment lives with the people-facing API (it is audited with the caller's address); sessions and reports,
// nearly every request a collector gets, live in a lean context of their own (see http/app.ts).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import {
  AgentId,
  EnrollRequest,
  EnrollResponse,
  ErrorBody,
  Report,
  ReportAck,
  SessionOpenRequest,
  SessionOpenResponse,
} from '../../../protocol/index.js';
import type { CollectorService } from '../../service.js';
import type { SignedRequest } from '../../fleet/request-auth.js';
import { AgentRequestLimits, countsAsFailure } from '../../fleet/agent-request-limits.js';
import type { SecurityLimits } from '../../auth/limits.js';
import { describe } from '../error-handler.js';
import { validateReport } from '../report-validator.js';
import { DEFERRED_REPORT, registerRawJsonParser } from '../raw-json.js';
import { DEFERRED_REPORT_BYTES } from '../../fleet/report-text.js';
import { strictAjv } from '../validators.js';

export async function enrollRoutes(app: FastifyInstance, opts: { service: CollectorService }) {
  const { service } = opts;
  app.post(
    '/enroll',
    {
      schema: {
        tags: ['agents'],
        summary: 'Enroll an agent with a unit token and its Ed25519 public key',
        body: EnrollRequest,
        response: { 200: EnrollResponse, '4xx': ErrorBody },
      },
    },
    async (req) => service.enroll(req.body as EnrollRequest, req.ip),
  );
}

/** What the request-auth stage needs of an agent request: who the path names, what was signed, the exact bytes. */
function signedRequestOf(req: FastifyRequest, extra: Partial<SignedRequest>): SignedRequest {
  const { id } = req.params as { id: string };
  return { agentIdInPath: id, method: req.method, path: req.url, headers: req.headers, rawBody: req.rawBody ?? Buffer.alloc(0), rawText: req.rawText, ...extra };
}

export async function agentReportRoutes(app: FastifyInstance, opts: { service: CollectorService; limits: SecurityLimits }) {
  const { service } = opts;
  // No per-request child logger (a pino child with the request id) for agent traffic: it cost about 2 % of a
  // heartbeat, and what is logged about an agent request names the agent (service.ts, error-handler.ts).
  app.setChildLoggerFactory((logger) => logger);

  // Rate limits of their own, after authentication (fleet/agent-request-limits.ts); the generic per-route
  // limiter (rate-limits.ts) is off for these routes. An address that sent too many refused requests is turned
  // away here, before its body is parsed; refusals are counted from the error path, which successes never take.
  const limits = new AgentRequestLimits({ perAgent: opts.limits.reportsPerMinutePerAgent, failuresPerAddress: opts.limits.requestsPerMinutePerIp });
  app.addHook('onRequest', (req, _reply, done) => {
    try {
      limits.checkAddress(req.ip);
    } catch (err) {
      return done(err as Error);
    }
    done();
  });
  app.addHook('onError', (req, _reply, err, done) => {
    const { status, code } = describe(err);
    if (countsAsFailure(status, code)) limits.countFailure(req.ip);
    done();
  });

  app.post(
    '/agents/:id/sessions',
    {
      schema: {
        tags: ['agents'],
        summary: 'Open a session (Ed25519-signed X25519 exchange): later reports may carry an HMAC instead of a signature',
        params: Type.Object({ id: AgentId }),
        body: SessionOpenRequest,
        response: { 200: SessionOpenResponse, '4xx': ErrorBody },
      },
      config: { rateLimit: false },
    },
    async (req) => service.openSession(signedRequestOf(req, { limits }), (req.body as SessionOpenRequest).x25519PublicKey),
  );

  // Reports in a context of their own: a large body is read on the worker, not parsed here (raw-json.ts).
  await app.register(async (reports) => {
    registerRawJsonParser(reports, { deferFrom: DEFERRED_REPORT_BYTES });
    reports.post(
      '/agents/:id/reports',
      {
        schema: {
          tags: ['agents'],
          summary: 'Submit a signed posture, heartbeat, events or goodbye report',
          params: Type.Object({ id: AgentId }),
          body: Report,
          response: { 200: ReportAck, '4xx': ErrorBody },
        },
        config: { rateLimit: false },
        validatorCompiler: ({ httpPart, schema }) => {
          // A deferred body is validated where it is read (service.ts readThenVerify).
          if (httpPart === 'body') return (data: unknown) => (data === DEFERRED_REPORT ? { value: data } : validateReport(data));
          return strictAjv.compile(schema);
        },
      },
      async (req) => {
        const received = Date.now();
        const report = req.body === DEFERRED_REPORT ? undefined : (req.body as Report);
        const signed = signedRequestOf(req, { isPosture: report?.kind === 'posture', sessions: service.sessions, limits });
        const outcome = await service.ingestQueued(signed, report, received);
        return outcome.ack;
      },
    );
  });
}
