// The yardstick for the ingest benchmark: fastify with its default JSON body parser and nothing else, answering
// the report route with an acknowledgement of the same shape. What the collector adds (signature check, schema
// validation, SQLite commit, policy) is measured against this. Run as a process of its own (bare-server.ts) and,
// with bench:ingest --split, inside the collector's process as well (bare-in-process.ts).
import Fastify, { type FastifyInstance } from 'fastify';

/** Starts the bare app on 127.0.0.1:port (0: any free port); returns it and its URL. */
export async function startBareApp(port: number): Promise<{ app: FastifyInstance; url: string }> {
  const app = Fastify({ logger: false, bodyLimit: 2 * 1024 * 1024 });
  app.post('/api/v1/agents/:id/reports', async (req) => {
    const body = req.body as { seq?: number };
    return { accepted: true, seq: body.seq ?? 0, needPosture: false };
  });
  await app.listen({ host: '127.0.0.1', port });
  return { app, url: `http://127.0.0.1:${(app.server.address() as { port: number }).port}` };
}
