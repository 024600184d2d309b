// An upgrade of a large fleet's database can take minutes: the collector says which migration it is running
// (OpenOptions.onMigration), for those the repositories apply too, and says nothing when there is nothing to do.
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../../collector/store/index.js';
import { migrations } from '../../../collector/store/migrations.js';
import { COMPLIANCE_COUNTS_MIGRATION } from '../../../collector/store/compliance-counts-schema.js';

describe('migration progress', () => {
  it('tells each migration before it runs, once, in order, including the repositories’ own', () => {
    const dir = mkdtempSync(join(tmpdir(), 'soclite-migration-progress-'));
    const told: { version: number; name: string }[] = [];
    openStore(dir, { onMigration: (m) => told.push(m) }).close();
    const versions = told.map((m) => m.version);
    expect(versions.slice(0, migrations.length)).toEqual(migrations.map((m) => m.version).sort((a, b) => a - b));
    expect(told).toContainEqual({ version: COMPLIANCE_COUNTS_MIGRATION.version, name: COMPLIANCE_COUNTS_MIGRATION.name });
    expect(new Set(versions).size).toBe(versions.length);

    const again: unknown[] = [];
    openStore(dir, { onMigration: (m) => again.push(m) }).close();
    expect(again).toEqual([]);
  });
});
