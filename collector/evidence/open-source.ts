// Where `soclite evidence export` gets its data: the collector's SQLite store under the data dir, read beside a
// running collector (WAL lets readers and the writer work at once), and the policy set the collector uses.
import { existsSync, statSync } from 'node:fs';
import { CliError } from '../../cli/errors.js';
import { databasePath } from '../store/database.js';
import { openStore, type Store } from '../store/index.js';
import { defaultPolicyDir, loadPolicySet, PolicyLoadError } from '../policy/index.js';
import type { EvidenceSource } from './source.js';
import { SqliteEvidenceSource } from './sqlite-source.js';

const why = (reason: string): CliError => new CliError(`evidence export needs a collector data dir with findings: ${reason}`);

export interface OpenedEvidenceSource extends EvidenceSource {
  close(): void;
}

export async function openEvidenceSource(dataDir: string, opts: { policyDir?: string; packs?: string[]; pack?: string } = {}): Promise<OpenedEvidenceSource> {
  if (!existsSync(dataDir)) throw why(`${dataDir} does not exist (start the collector with --data-dir ${dataDir} first)`);
  if (!statSync(dataDir).isDirectory()) throw why(`${dataDir} is not a directory`);
  if (!existsSync(databasePath(dataDir))) throw why(`${dataDir} holds no soclite database (soclite.db)`);
  let policy;
  try {
    policy = loadPolicySet(opts.policyDir ?? defaultPolicyDir(), opts.packs ? { packs: opts.packs } : {});
  } catch (err) {
    if (err instanceof PolicyLoadError) throw new CliError(`the policy set does not load:\n${err.message}`);
    throw err;
  }
  const store: Store = openStore(dataDir);
  try {
    const source = new SqliteEvidenceSource(store, policy, opts.pack ? { pack: opts.pack } : {});
    return Object.assign(source, { close: () => store.close() });
  } catch (err) {
    store.close();
    throw why((err as Error).message);
  }
}
