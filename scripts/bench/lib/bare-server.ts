// The yardstick for the ingest benchmark: fastify with its default JSON body parser and nothing else, answering
// the report route with an acknowledgement of the same shape. What the collector adds (signature check, schema
// validation, SQLite commit, policy) is measured against this.
import Fastify from 'fastify';

const port = Number(process.argv[2] ?? 0);
const app = Fastify({ logger: false, bodyLimit: 2 * 1024 * 1024 });
app.post('/api/v1/agents/:id/reports', async (req) => {
  const body = req.body as { seq?: number };
  return { accepted: true, seq: body.seq ?? 0, needPosture: false };
});
await app.listen({ host: '127.0.0.1', port });
process.stdout.write(`URL: http://127.0.0.1:${(app.server.address() as { port: number }).port}\n`);
const stop = () => void app.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
