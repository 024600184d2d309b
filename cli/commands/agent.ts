// `soclite agent run|enroll|scan|parse`. Each subcommand loads only its own modules: `agent run` is the
// long-lived process counted against the agent's memory budget, so it never loads the probes, the enrollment
// code or the collector's graph; its scans run as `agent scan --json` children of this same CLI.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCli } from '../args.js';
import { CliError } from '../errors.js';
import { untilSignal } from '../signals.js';
import { VERSION } from '../../collector/version.js';
import { defaultStateDir } from '../../agent/state-dir.js';
import { hasIdentity } from '../../agent/transport/identity.js';

const USAGE = `soclite agent <subcommand>
  enroll --server URL --token-file F [--ca-file F] [--state-dir D] [--force]
  run [--state-dir D]
  scan [--json]
  parse <parser-id> <file>`;

export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'enroll':
      return runEnroll(rest);
    case 'run':
      return runAgent(rest);
    case 'scan':
      return runScan(rest);
    case 'parse': {
      const { runParse } = await import('./agent-parse.js');
      return runParse(rest);
    }
    case '--help':
    case '-h':
      process.stdout.write(USAGE + '\n');
      return 0;
    default:
      throw new CliError(`unknown or missing subcommand${sub ? ` "${sub}"` : ''}\nusage: ${USAGE}`, 2);
  }
}

async function runEnroll(args: string[]): Promise<number> {
  const { values } = parseCli(
    args,
    { server: { type: 'string' }, 'token-file': { type: 'string' }, 'ca-file': { type: 'string' }, 'state-dir': { type: 'string' }, force: { type: 'boolean' } },
    USAGE,
    false,
  );
  if (values.help) return (process.stdout.write(USAGE + '\n'), 0);
  if (!values.server || !values['token-file']) throw new CliError('enroll needs --server URL and --token-file F (the token is never taken from the command line)', 2);
  const stateDir = values['state-dir'] ?? defaultStateDir();
  const { EnrollError, enrollAgent } = await import('../../agent/enroll.js');
  const { CollectorError, TransportError } = await import('../../agent/transport/client.js');
  try {
    const id = await enrollAgent({
      serverUrl: values.server,
      tokenFile: values['token-file'],
      caFile: values['ca-file'],
      stateDir,
      version: VERSION,
      force: values.force,
    });
    process.stdout.write(`enrolled as ${id.agentId} in unit ${id.unit}\nstate: ${stateDir}\n`);
    return 0;
  } catch (err) {
    if (err instanceof EnrollError) throw new CliError(err.message);
    if (err instanceof CollectorError) throw new CliError(`collector refused enrollment (${err.code}): ${err.message}`);
    if (err instanceof TransportError) throw new CliError(err.message);
    throw err;
  }
}

async function runAgent(args: string[]): Promise<number> {
  const { values } = parseCli(args, { 'state-dir': { type: 'string' } }, USAGE, false);
  if (values.help) return (process.stdout.write(USAGE + '\n'), 0);
  const stateDir = values['state-dir'] ?? defaultStateDir();
  if (!hasIdentity(stateDir)) throw new CliError(`no enrolled agent in ${stateDir}; run: soclite agent enroll --server URL --token-file F`);
  const { lineLogger } = await import('../../agent/line-log.js');
  const log = lineLogger({ level: process.env.SOCLITE_LOG_LEVEL ?? 'info', component: 'agent' });
  const { AgentRunner } = await import('../../agent/run.js');
  const { ChildScanner } = await import('../../agent/scan-child/child-scanner.js');
  const { watchDefaults } = await import('../../agent/watch/defaults.js');
  const scanner = new ChildScanner({
    ...scanChildCommand(),
    // What a scan may reuse from the previous one (apt's upgradable list) is kept here, as the child is new each time.
    env: { ...process.env, SOCLITE_AGENT_SCAN_CACHE_DIR: join(stateDir, 'scan-cache') },
    timeoutMs: scanTimeoutMs(),
    onFailure: (reason) => log.warn({ reason }, 'scan produced no posture; reporting it as unknown'),
  });
  const runner = new AgentRunner({ stateDir, version: VERSION, log, scan: (ctx) => scanner.scan(ctx), watch: watchDefaults() });
  await runner.start();
  const sig = await untilSignal();
  // The runner marks itself stopped first, so a scan killed by scanner.stop() is dropped, not sent as unknown.
  const stopped = runner.stop(`agent received ${sig}`);
  scanner.stop();
  await stopped;
  return 0;
}

/** `agent scan --json` through this same CLI and Node flags (compiled main.js, or main.ts under tsx). */
function scanChildCommand(): { command: string; args: string[] } {
  const self = fileURLToPath(import.meta.url);
  const main = fileURLToPath(new URL(`../main${self.slice(self.lastIndexOf('.'))}`, import.meta.url));
  // Debugger flags would make the child fight the agent for the inspector port.
  const flags = process.execArgv.filter((a) => !/^--inspect/.test(a));
  return { command: process.execPath, args: [...flags, main, 'agent', 'scan', '--json'] };
}

/** Longer than the slowest platform's probe budgets (Linux ~60 s worst case, Windows' collect.ps1 200 s). */
function scanTimeoutMs(): number {
  const env = Number(process.env.SOCLITE_AGENT_SCAN_TIMEOUT_SEC);
  if (Number.isFinite(env) && env > 0) return env * 1000;
  return process.platform === 'win32' ? 240_000 : 120_000;
}

async function runScan(args: string[]): Promise<number> {
  const { values } = parseCli(args, { json: { type: 'boolean' } }, USAGE, false);
  if (values.help) return (process.stdout.write(USAGE + '\n'), 0);
  const { scanPosture } = await import('../../agent/scan.js');
  const posture = await scanPosture({ agentId: 'local', version: VERSION, seq: 0 });
  if (values.json) {
    process.stdout.write(JSON.stringify(posture, null, 2) + '\n');
    return 0;
  }
  const { formatPosture } = await import('../../agent/format.js');
  process.stdout.write(formatPosture(posture) + '\n');
  return 0;
}
