// Where `soclite evidence export` gets its data. The evidence room only knows the EvidenceSource interface;
// the collector's store provides the SQLite-backed implementation and replaces this function's body with it.
// Until then an export fails with a message that says why, rather than producing a bundle of guesses.
import { stat } from 'node:fs/promises';
import { CliError } from '../../cli/errors.js';
import type { EvidenceSource } from './source.js';

const why = (reason: string): CliError => new CliError(`evidence export needs a collector data dir with findings: ${reason}`);

export async function openEvidenceSource(dataDir: string): Promise<EvidenceSource> {
  let info;
  try {
    info = await stat(dataDir);
  } catch {
    throw why(`${dataDir} does not exist (start the collector with --data-dir ${dataDir} first)`);
  }
  if (!info.isDirectory()) throw why(`${dataDir} is not a directory`);
  throw why(`${dataDir} has no findings store this version can read (the SQLite evidence source is not connected yet)`);
}
