// JSON bodies are parsed by fastify's safe parser (rejects __proto__ / constructor.prototype), and the raw
// bytes are kept: agent signatures cover the exact body hash, not a re-serialisation.
import type { FastifyInstance } from 'fastify';
import { DEFERRED_REPORT_BYTES } from '../fleet/report-text.js';

declare module 'fastify' {
  interface FastifyRequest {
    rawBody?: Buffer;
    /** rawBody decoded as UTF-8 (decoded once, for parsing; the agent report route reuses it). */
    rawText?: string;
  }
}

export function registerRawJsonParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    const raw = body as Buffer;
    const text = raw.toString('utf8');
    req.rawBody = raw;
    req.rawText = text;
    parseJson(req, text, done);
  });
}

/** The body of a report too large to parse on the event loop: the service has the worker read it. */
export const DEFERRED_REPORT: unknown = Object.freeze({ deferred: 'read on the worker (fleet/report-text.ts)' });

/**
 * For the agent report route's context: bodies of DEFERRED_REPORT_BYTES and more are kept as bytes and stand
 * as DEFERRED_REPORT, parsed and validated on the worker (fleet/report-text.ts); smaller ones as above.
 */
export function registerDeferredReportParser(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    const raw = body as Buffer;
    req.rawBody = raw;
    if (raw.length >= DEFERRED_REPORT_BYTES) return done(null, DEFERRED_REPORT);
    const text = raw.toString('utf8');
    req.rawText = text;
    parseJson(req, text, done);
  });
}
