// `soclite agent run|enroll|scan|parse`.
import { pino } from 'pino';
import { parseCli } from '../args.js';
import { CliError } from '../errors.js';
import { untilSignal } from '../signals.js';
import { VERSION } from '../../collector/version.js';
import { defaultStateDir } from '../../agent/state-dir.js';
import { EnrollError, enrollAgent } from '../../agent/enroll.js';
import { hasIdentity } from '../../agent/transport/identity.js';
import { CollectorError } from '../../agent/transport/client.js';

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
    if (err instanceof Error && /fetch failed|ECONNREFUSED|timeout/i.test(err.message + String((err as { cause?: unknown }).cause))) {
      throw new CliError(`cannot reach the collector at ${values.server}: ${String((err as { cause?: Error }).cause?.message ?? err.message)}`);
    }
    throw err;
  }
}

async function runAgent(args: string[]): Promise<number> {
  const { values } = parseCli(args, { 'state-dir': { type: 'string' } }, USAGE, false);
  if (values.help) return (process.stdout.write(USAGE + '\n'), 0);
  const stateDir = values['state-dir'] ?? defaultStateDir();
  if (!hasIdentity(stateDir)) throw new CliError(`no enrolled agent in ${stateDir}; run: soclite agent enroll --server URL --token-file F`);
  const log = pino({ level: process.env.SOCLITE_LOG_LEVEL ?? 'info', base: { component: 'agent' } });
  const { AgentRunner } = await import('../../agent/run.js');
  const { scanPosture } = await import('../../agent/scan.js');
  const { watchDefaults } = await import('../../agent/watch/defaults.js');
  const runner = new AgentRunner({ stateDir, version: VERSION, log, scan: (ctx) => scanPosture(ctx), watch: watchDefaults() });
  await runner.start();
  const sig = await untilSignal();
  await runner.stop(`agent received ${sig}`);
  return 0;
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
