// Options shared by the commands that open a collector's configuration and data dir.
import { CliError } from './errors.js';
import { ConfigError, loadConfig } from '../collector/config/load.js';
import type { Config } from '../collector/config/schema.js';

export const collectorOptions = {
  config: { type: 'string' },
  'data-dir': { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
} as const;

export function configFromFlags(v: { config?: string; 'data-dir'?: string; host?: string; port?: string }): Config {
  let port: number | undefined;
  if (v.port !== undefined) {
    port = Number(v.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port must be 0-65535, got "${v.port}"`, 2);
  }
  try {
    return loadConfig({ configFile: v.config, dataDir: v['data-dir'], host: v.host, port });
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message, 2);
    throw err;
  }
}

export { untilSignal } from './signals.js';

/**
 * Runs a graceful stop, but never lets it hang the process: after `graceMs`, or at a second Ctrl-C, it exits
 * anyway. Committed data is safe either way (SQLite WAL); what is cut short is waiting for idle clients.
 */
export async function stopWithin(stop: () => Promise<void>, graceMs = 15_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const forced = new Promise<void>((resolve) => {
    const force = (why: string) => {
      process.stderr.write(`soclite: ${why}; exiting without waiting further\n`);
      process.exitCode = 1;
      resolve();
      setImmediate(() => process.exit(1));
    };
    timer = setTimeout(() => force(`shutdown took longer than ${graceMs / 1000} s`), graceMs);
    timer.unref();
    process.once('SIGINT', () => force('second interrupt'));
  });
  await Promise.race([stop(), forced]);
  clearTimeout(timer);
}
