// `soclite token create --unit U`: an enrollment token for one unit, printed once as the last line.
import { parseCli } from '../args.js';
import { CliError } from '../errors.js';
import { configFromFlags } from '../options.js';
import { openStore } from '../../collector/store/index.js';
import { createEnrollmentToken } from '../../collector/fleet/tokens.js';
import { DomainError } from '../../collector/fleet/errors.js';
import { auditLog, cliActor } from '../../collector/audit/index.js';

const USAGE = 'soclite token create --unit U [--ttl-hours H] [--max-uses N] [--config F] [--data-dir D]';

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCli(
    args,
    { unit: { type: 'string' }, 'ttl-hours': { type: 'string' }, 'max-uses': { type: 'string' }, config: { type: 'string' }, 'data-dir': { type: 'string' } },
    USAGE,
  );
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (positionals[0] !== 'create' || positionals.length !== 1) throw new CliError(`usage: ${USAGE}`, 2);
  if (!values.unit) throw new CliError('--unit is required (a new data dir has one unit: default)', 2);
  const config = configFromFlags(values);
  const store = openStore(config.storage.dataDir);
  try {
    const t = createEnrollmentToken(store, {
      unitId: values.unit,
      ttlHours: values['ttl-hours'] ? Number(values['ttl-hours']) : undefined,
      maxUses: values['max-uses'] ? Number(values['max-uses']) : undefined,
      createdBy: `cli:${cliActor().name}`,
    });
    auditLog(store).record({
      action: 'enrollment_token.create',
      actor: cliActor(),
      ip: null,
      target: { type: 'enrollment_token', id: t.id },
      unitIds: [t.unitId],
      details: { unit: t.unitId, expiresAt: t.expiresAt, maxUses: t.maxUses },
    });
    process.stdout.write(`unit: ${t.unitId}\nexpires: ${t.expiresAt}\nmax uses: ${t.maxUses}\n`);
    process.stdout.write('Store it in a file readable only by the agent (chmod 600) and enroll with: soclite agent enroll --server URL --token-file FILE\n');
    process.stdout.write(t.token + '\n');
    return 0;
  } catch (err) {
    if (err instanceof DomainError) throw new CliError(err.message);
    throw err;
  } finally {
    store.close();
  }
}
