// `soclite collector`: the collector alone (embedded SQLite, API, dashboard), until Ctrl-C or SIGTERM.
import { parseCli } from '../args.js';
import { collectorOptions, configFromFlags, stopWithin, untilSignal } from '../options.js';
import { startCollector } from '../../collector/server.js';
import { useOwnTls } from '../tls.js';

const USAGE = 'soclite collector [--config F] [--data-dir D] [--host H] [--port P] [--tls]';

export async function run(args: string[]): Promise<number> {
  const { values } = parseCli(args, { ...collectorOptions, tls: { type: 'boolean' } }, USAGE, false);
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const config = configFromFlags(values);
  // --tls: serve HTTPS with a private CA made under the data dir (reused on later starts).
  const tls = values.tls ? useOwnTls(config) : undefined;
  const c = await startCollector(config);
  process.stdout.write(`URL: ${c.url}\n`);
  process.stdout.write(`data: ${config.storage.dataDir}\n`);
  if (tls) process.stdout.write(`CA: ${tls.caCert}\n`);
  if (c.adminPassword) process.stdout.write(`admin password: ${c.adminPassword}\n`);
  const sig = await untilSignal();
  process.stdout.write(`stopping (${sig})...\n`);
  await stopWithin(() => c.close());
  return 0;
}
