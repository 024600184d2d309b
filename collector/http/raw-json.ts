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
