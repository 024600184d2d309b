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
  /**
   * The policy digest every machine's findings were last evaluated against by a collector, when it is not the
   * one this export names (a collector has not yet re-evaluated them after a policy change); else undefined.
   */
  findingsOfAnotherPolicy?: string;
}

export interface OpenSourceOptions {
  policyDir?: string;
  packs?: string[];
  /** The organisation's parameter overrides (config policy.overrides), as the collector applies them. */
  overrides?: Record<string, unknown>;
  pack?: string;
  /** Refuse unless the loaded policy set is this one (an API export must use the collector's active set). */
  expectDigest?: string;
}

export async function openEvidenceSource(dataDir: string, opts: OpenSourceOptions = {}): Promise<OpenedEvidenceSource> {
  if (!existsSync(dataDir)) throw why(`${dataDir} does not exist (start the collector with --data-dir ${dataDir} first)`);
  if (!statSync(dataDir).isDirectory()) throw why(`${dataDir} is not a directory`);
  if (!existsSync(databasePath(dataDir))) throw why(`${dataDir} holds no soclite database (soclite.db)`);
  let policy;
  try {
    policy = loadPolicySet(opts.policyDir ?? defaultPolicyDir(), {
      ...(opts.packs ? { packs: opts.packs } : {}),
      ...(opts.overrides ? { overrides: opts.overrides } : {}),
    });
  } catch (err) {
    if (err instanceof PolicyLoadError) throw new CliError(`the policy set does not load:\n${err.message}`);
    throw err;
  }
  if (opts.expectDigest && policy.digest !== opts.expectDigest) {
    throw new CliError('the policy files changed since the collector loaded them (their new version is not in force): export again once the collector has reloaded them');
  }
  const store: Store = openStore(dataDir);
  try {
    const source = new SqliteEvidenceSource(store, policy, opts.pack ? { pack: opts.pack } : {});
    // Absent on a database no collector has evaluated in full yet (older versions, seeded benchmark data).
    const evaluated = store.settings.evaluatedPolicyDigest();
    return Object.assign(source, { close: () => store.close(), ...(evaluated && evaluated !== policy.digest ? { findingsOfAnotherPolicy: evaluated } : {}) });
  } catch (err) {
    store.close();
    throw why((err as Error).message);
  }
}
