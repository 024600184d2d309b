// `soclite` command line: a table of verbs, each in its own module under cli/commands/, loaded only when used
// so `soclite agent scan` never pays for the collector's dependencies.
import { CliError } from './errors.js';

type Command = { summary: string; load: () => Promise<{ run: (args: string[]) => Promise<number> }> };

const commands: Record<string, Command> = {
  start: { summary: 'collector + dashboard + an agent for this machine', load: () => import('./commands/start.js') },
  collector: { summary: 'run the collector only', load: () => import('./commands/collector.js') },
  agent: { summary: 'agent run|enroll|scan|parse', load: () => import('./commands/agent.js') },
  token: { summary: 'token create --unit U: enrollment tokens', load: () => import('./commands/token.js') },
  policy: { summary: 'policy lint|test|explain', load: () => import('./commands/policy.js') },
  user: { summary: 'user add|passwd|disable', load: () => import('./commands/user.js') },
  audit: { summary: 'audit verify: check the hash-chained audit log', load: () => import('./commands/audit.js') },
  evidence: { summary: 'evidence export|verify: signed compliance bundles', load: () => import('./commands/evidence.js') },
  simulate: { summary: 'simulate --agents N: virtual agents for load tests and demos', load: () => import('./commands/simulate.js') },
};

export function usage(): string {
  const width = Math.max(...Object.keys(commands).map((k) => k.length));
  return [
    'usage: soclite <command> [options]',
    '',
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `soclite <command> --help` for the options of one command.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  if (!verb || verb === '--help' || verb === '-h' || verb === 'help') {
    process.stdout.write(usage() + '\n');
    return verb ? 0 : 2;
  }
  const command = commands[verb];
  if (!command) {
    process.stderr.write(`soclite: unknown command "${verb}"\n\n${usage()}\n`);
    return 2;
  }
  try {
    const mod = await command.load();
    return await mod.run(rest);
  } catch (err) {
    if (err instanceof CliError) {
      process.stderr.write(`soclite ${verb}: ${err.message}\n`);
      return err.exitCode;
    }
    throw err;
  }
}

// Run directly (tsx cli/main.ts ...) as well as through bin/soclite.js.
if (process.argv[1] && import.meta.url === new URL(process.argv[1], 'file://').href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`soclite: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
