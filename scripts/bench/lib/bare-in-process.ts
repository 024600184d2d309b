// Preloaded into the collector's process by bench:ingest --split (node --import): the same bare fastify app on a
// port of its own, in the same process as the collector. Timed against the collector it splits the gap to the
// standalone bare server in two: what the collector's work per report costs (against bare fastify in the same
// process, same heap, threads and JIT state), and what running inside a larger process costs the same code
// (in-process bare against standalone bare). Nothing of the collector is changed or called.
import { startBareApp } from './bare-app.js';

const { app, url } = await startBareApp(0);
// Does not keep the process alive: the collector stops as it would without it.
app.server.unref();
process.stdout.write(`BARE IN PROCESS: ${url}\n`);
