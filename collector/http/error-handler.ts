// Errors as data: every refusal is { error, code, message, statusCode }, counted in /metrics by code. Internal
// errors are logged with their stack and answered without details.
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance } from 'fastify';
import { DomainError } from '../fleet/errors.js';
import type { CollectorService } from '../service.js';

const FASTIFY_CODES: Record<string, [number, string]> = {
  FST_ERR_CTP_BODY_TOO_LARGE: [413, 'body_too_large'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, 'unsupported_media_type'],
  FST_ERR_CTP_EMPTY_JSON_BODY: [400, 'empty_body'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, 'bad_content_length'],
  FST_ERR_CTP_INVALID_JSON_BODY: [400, 'malformed_json'],
};

export function describe(err: FastifyError | DomainError | Error): { status: number; code: string; message: string; details?: Record<string, string | number> } {
  if (err instanceof DomainError) return { status: err.statusCode, code: err.code, message: err.message, details: err.details };
  const fe = err as FastifyError;
  if (fe.validation) {
    return { status: 400, code: fe.code === 'FST_ERR_VALIDATION' || !fe.code ? 'invalid_' + (fe.validationContext ?? 'request') : fe.code, message: fe.message };
  }
  const known = fe.code ? FASTIFY_CODES[fe.code] : undefined;
  if (known) return { status: known[0], code: known[1], message: fe.message };
  if (err instanceof SyntaxError || (fe.statusCode === 400 && /JSON/i.test(fe.message))) {
    return { status: 400, code: 'malformed_json', message: `body is not valid JSON: ${fe.message}` };
  }
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { status: fe.statusCode, code: (fe.code ?? 'bad_request').toLowerCase(), message: fe.message };
  }
  return { status: 500, code: 'internal', message: 'internal error; the collector logged the details' };
}

export function registerErrorHandling(app: FastifyInstance, service: CollectorService): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const { status, code, message, details } = describe(err);
    // Method and path (without the query) name the request also where no request id is bound (agent routes).
    const route = `${req.method} ${req.url.split('?')[0]}`;
    if (status >= 500) req.log.error({ err, route }, 'request failed');
    else {
      service.metrics.rejected.inc({ reason: code });
      req.log.info({ code, status, route }, 'request refused');
    }
    if (typeof details?.retryAfterMs === 'number') reply.header('retry-after', String(Math.ceil(details.retryAfterMs / 1000)));
    return reply.status(status).send({ ...details, error: STATUS_CODES[status] ?? 'Error', code, message, statusCode: status });
  });
  app.setNotFoundHandler((req, reply) => {
    service.metrics.rejected.inc({ reason: 'not_found' });
    return reply.status(404).send({ error: 'Not Found', code: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}`, statusCode: 404 });
  });
}
