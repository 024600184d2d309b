// `soclite audit verify`: recomputes the audit log's hash chain and names the first record that was altered,
// removed or reordered. Exit 0 = intact, 1 = broken.
import { parseCli } from '../args.js';
import { CliError } from '../errors.js';
import { configFromFlags } from '../options.js';
import { openStore } from '../../collector/store/index.js';
import { auditLog } from '../../collector/audit/index.js';

const USAGE = 'soclite audit verify [--config F] [--data-dir D] [--json]';

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCli(args, { config: { type: 'string' }, 'data-dir': { type: 'string' }, json: { type: 'boolean' } }, USAGE);
  if (values.help) return (process.stdout.write(USAGE + '\n'), 0);
  if (positionals[0] !== 'verify' || positionals.length !== 1) throw new CliError(`usage: ${USAGE}`, 2);
  const config = configFromFlags(values);
  const store = openStore(config.storage.dataDir);
  try {
    const v = auditLog(store).verify();
    if (values.json) process.stdout.write(JSON.stringify(v) + '\n');
    else if (v.ok) process.stdout.write(`audit log intact: ${v.records} records, head ${v.headHash}\n`);
    else process.stdout.write(`audit log BROKEN at record #${v.firstBadSeq}: ${v.problem}\n`);
    return v.ok ? 0 : 1;
  } finally {
    store.close();
  }
}
