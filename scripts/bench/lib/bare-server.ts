// The bare fastify server as a process of its own (see bare-app.ts): what bench:ingest's ratios are against.
import { startBareApp } from './bare-app.js';

const { app, url } = await startBareApp(Number(process.argv[2] ?? 0));
process.stdout.write(`URL: ${url}\n`);
const stop = () => void app.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
