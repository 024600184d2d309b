// `soclite start`: the whole product on one machine — collector with embedded SQLite and the dashboard, plus
// an agent for this machine enrolled to it — until Ctrl-C.
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { pino } from 'pino';
import { parseCli } from '../args.js';
import { collectorOptions, configFromFlags, stopWithin, untilSignal } from '../options.js';
import { createLogger, startCollector } from '../../collector/server.js';
import { createEnrollmentToken } from '../../collector/fleet/tokens.js';
import { VERSION } from '../../collector/version.js';
import { enrollAgent } from '../../agent/enroll.js';
import { hasIdentity, loadIdentity, saveIdentity } from '../../agent/transport/identity.js';
import { writeFileDurable } from '../../agent/transport/durable-file.js';
import { readFileSync } from 'node:fs';
import { useOwnTls } from '../tls.js';

const USAGE = 'soclite start [--config F] [--data-dir D] [--host H] [--port P] [--no-agent] [--tls]';

export async function run(args: string[]): Promise<number> {
  const { values } = parseCli(args, { ...collectorOptions, 'no-agent': { type: 'boolean' }, tls: { type: 'boolean' } }, USAGE, false);
  if (values.help) return (process.stdout.write(USAGE + '\n'), 0);
  const config = configFromFlags(values);
  // --tls: serve HTTPS with a private CA made under the data dir (reused on later starts).
  const tls = values.tls ? useOwnTls(config) : undefined;
  // One terminal shows the URL and password; routine logs would bury them, so start logs warnings only.
  const level = process.env.SOCLITE_LOG_LEVEL ?? 'warn';
  const collector = await startCollector(config, createLogger(level));
  process.stdout.write(`URL: ${collector.url}\n`);
  process.stdout.write(`data: ${config.storage.dataDir}\n`);
  if (tls) process.stdout.write(`CA: ${tls.caCert} (enroll other machines with --ca-file <a copy of it>)\n`);
  if (collector.adminPassword) {
    process.stdout.write('user: admin (the password is shown only this once; change it with `soclite user passwd admin`)\n');
    process.stdout.write(`admin password: ${collector.adminPassword}\n`);
  }

  let stopAgent: (() => Promise<void>) | undefined;
  if (!values['no-agent']) {
    const stateDir = join(config.storage.dataDir, 'agent');
    const known = hasIdentity(stateDir) && collector.store.agents.get(loadIdentity(stateDir).agentId);
    if (!known) {
      // One-use, short-lived token handed over through a 0600 file, as an operator would.
      const t = createEnrollmentToken(collector.store, { unitId: 'default', ttlHours: 1, maxUses: 1, createdBy: 'soclite start' });
      const tokenFile = join(config.storage.dataDir, 'local-agent.token');
      writeFileDurable(tokenFile, t.token + '\n', 0o600);
      try {
        await enrollAgent({ serverUrl: collector.url, tokenFile, stateDir, version: VERSION, force: true, caFile: tls?.caCert });
      } finally {
        rmSync(tokenFile, { force: true });
      }
    } else {
      // Same collector, maybe on another port this time: keep the identity, follow the URL.
      const id = loadIdentity(stateDir);
      if (id.serverUrl !== collector.url) {
        const { privateKey: _k, ...rest } = id;
        saveIdentity(stateDir, { ...rest, serverUrl: collector.url }, readFileSync(join(stateDir, 'agent-key.pem'), 'utf8'));
      }
    }
    const { AgentRunner } = await import('../../agent/run.js');
    const { scanPosture } = await import('../../agent/scan.js');
    const log = pino({ level, base: { component: 'agent' } });
    const { watchDefaults } = await import('../../agent/watch/defaults.js');
    const runner = new AgentRunner({ stateDir, version: VERSION, log, scan: (ctx) => scanPosture(ctx), watch: watchDefaults() });
    await runner.start();
    process.stdout.write(`agent: ${runner.agentId} (this machine) reporting to ${collector.url}\n`);
    stopAgent = () => runner.stop('soclite start stopped', 3000);
  }
  process.stdout.write('Press Ctrl-C to stop.\n');
  const sig = await untilSignal();
  process.stdout.write(`stopping (${sig})...\n`);
  await stopWithin(async () => {
    await stopAgent?.();
    await collector.close();
  });
  return 0;
}
