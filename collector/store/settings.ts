// Small key/value facts the collector keeps about itself (e.g. the digest of the policy set last applied).
import type { Db } from './database.js';

export class SettingsRepository {
  constructor(private readonly db: Db) {}

  get(key: string): string | undefined {
    return (this.db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  set(key: string, value: string): void {
    this.db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  /**
   * The digest of the policy set every agent's findings were last evaluated against, recorded once a collector's
   * fleet-wide re-evaluation has reached every agent (compliance/service.ts); undefined before the first one.
   */
  evaluatedPolicyDigest(): string | undefined {
    return this.get(POLICY_DIGEST_KEY);
  }

  setEvaluatedPolicyDigest(digest: string): void {
    this.set(POLICY_DIGEST_KEY, digest);
  }
}

const POLICY_DIGEST_KEY = 'policy.digest';
