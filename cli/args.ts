// Thin wrapper over node:util parseArgs that turns its exceptions into CliErrors with the usage line.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError } from './errors.js';

export function parseCli<T extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: T,
  usageLine: string,
  allowPositionals = true,
) {
  try {
    return parseArgs({ args, options: { help: { type: 'boolean', short: 'h' }, ...options }, allowPositionals, strict: true });
  } catch (err) {
    throw new CliError(`${(err as Error).message}\nusage: ${usageLine}`, 2);
  }
}
