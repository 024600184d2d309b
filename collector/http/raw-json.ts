// JSON bodies are parsed by fastify's safe parser (rejects __proto__ / constructor.prototype), and the raw
// bytes are kept: agent signatures cover the exact body hash, not a re-serialisation.
import type { FastifyInstance } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    rawBody?: Buffer;
    /** rawBody decoded as UTF-8 (decoded once, for parsing; the agent report route reuses it). */
    rawText?: string;
  }
}

/** The body of a report too large to parse on the event loop: the service has the worker read it. */
export const DEFERRED_REPORT: unknown = Object.freeze({ deferred: 'read on the worker (fleet/report-text.ts)' });

/**
 * deferFrom (the agent report route's context): bodies of that many bytes and more are kept as bytes only and
 * stand as DEFERRED_REPORT, parsed and validated on the worker (fleet/report-text.ts).
 */
export function registerRawJsonParser(app: FastifyInstance, o: { deferFrom?: number } = {}): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  const deferFrom = o.deferFrom ?? Infinity;
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    const raw = body as Buffer;
    req.rawBody = raw;
    if (raw.length >= deferFrom) return done(null, DEFERRED_REPORT);
    const text = raw.toString('utf8');
    req.rawText = text;
    parseJson(req, text, done);
  });
}
